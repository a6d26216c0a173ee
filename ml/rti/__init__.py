"""Reflectance Transformation Imaging: read light positions, fit PTM or HSH coefficients per pixel,
write them as standard ``.ptm`` / ``.rti`` files and as a web atlas for the relighting viewer, and
render synthetic capture sets for the demo and the tests."""
