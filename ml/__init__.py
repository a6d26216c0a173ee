"""Machine learning that writes back to the graph (through ``kg`` only)."""
