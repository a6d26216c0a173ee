"""One synthetic capture per session: a 128 px coin relief under a 24-lamp dome, plus a held-out
light that no photo used, rendered by the same model so it is the ground truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from ml.rti import synth
from ml.rti.fit import dome

SIZE = 128


@dataclass
class Capture:
    height: np.ndarray
    albedo: np.ndarray
    lights: np.ndarray
    photos: np.ndarray
    held_out: np.ndarray
    truth: np.ndarray


@pytest.fixture(scope="session")
def capture() -> Capture:
    height = synth.coin_relief(SIZE)
    albedo = synth.bronze_albedo(SIZE)
    lights = dome(24, 15, 75)
    # between the dome's lamps (azimuth and elevation no photo used)
    held = np.array([0.42, -0.31, 0.0])
    held[2] = np.sqrt(1 - held[0] ** 2 - held[1] ** 2)
    return Capture(
        height,
        albedo,
        lights,
        synth.render(height, albedo, lights),
        held,
        synth.render(height, albedo, held[None, :])[0],
    )
