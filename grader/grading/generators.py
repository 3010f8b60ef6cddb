"""The state of the random generators the reference side draws from: Python's ``random``,
NumPy's global generator and torch's CPU generator.

An answer given back without running the reference (replayed from the student kit's
recording, or from the answer cache of a batch) must leave these generators as the live
computation would have, so that what the check draws next is the same.
"""

from __future__ import annotations

import random


def state() -> tuple:
    """The three generators' states (``torch.get_rng_state`` is a copy)."""
    import numpy as np
    import torch

    return random.getstate(), np.random.get_state(), torch.get_rng_state()


def restore(saved: tuple) -> None:
    import numpy as np
    import torch

    random.setstate(saved[0])
    np.random.set_state(saved[1])
    torch.set_rng_state(saved[2].clone())


def as_data(saved: tuple) -> list:
    """``saved`` as plain data (lists, numbers, an array and a tensor), for keys and recordings."""
    python, numpy_state, torch_state = saved
    return [python[0], list(python[1]), python[2], numpy_state[0], numpy_state[1], int(numpy_state[2]),
            int(numpy_state[3]), float(numpy_state[4]), torch_state]


def from_data(data: list) -> tuple:
    """The inverse of :func:`as_data`."""
    import numpy as np
    import torch

    version, internal, gauss, name, keys, pos, has_gauss, cached, torch_state = data
    return ((version, tuple(internal), gauss), (name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached),
            torch.as_tensor(torch_state, dtype=torch.uint8))


def same(a: tuple, b: tuple) -> bool:
    """Whether two saved states are equal."""
    import numpy as np
    import torch

    return (a[0] == b[0] and a[1][0] == b[1][0] and np.array_equal(a[1][1], b[1][1]) and a[1][2:] == b[1][2:]
            and torch.equal(a[2], b[2]))
