"""MATLAB's weight initializers, by their MATLAB names.

'glorot'        uniform on [-a, a], a = sqrt(6 / (numIn + numOut))   (variance 2/(numIn+numOut))
'he'            normal, mean 0, variance 2 / numIn
'orthogonal'    Q of the QR decomposition Z = QR of a unit-normal random matrix Z
'narrow-normal' normal, mean 0, standard deviation 0.01
'zeros', 'ones' constants
'unit-forget-gate' (LSTM bias) ones on the forget-gate block, zeros elsewhere
"""

from __future__ import annotations

import numpy as np

from .options import Choice

WEIGHT_INITIALIZERS = ("glorot", "he", "orthogonal", "narrow-normal", "zeros", "ones")


def weights_kind():
    return Choice(*WEIGHT_INITIALIZERS)


def initialize_weights(method: str, shape, num_in: int, num_out: int, rng: np.random.Generator):
    """An array of ``shape`` drawn by MATLAB's initializer ``method``."""
    if method == "glorot":
        a = np.sqrt(6.0 / (num_in + num_out))
        return rng.uniform(-a, a, size=shape)
    if method == "he":
        return rng.normal(0.0, np.sqrt(2.0 / num_in), size=shape)
    if method == "orthogonal":
        rows, cols = shape[0], int(np.prod(shape[1:]))
        z = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(z)
        q = q * np.sign(np.diag(r))  # unique Q (Mezzadri): uniformly distributed
        q = q if rows >= cols else q.T
        return q.reshape(shape)
    if method == "narrow-normal":
        return rng.normal(0.0, 0.01, size=shape)
    if method == "zeros":
        return np.zeros(shape)
    if method == "ones":
        return np.ones(shape)
    raise ValueError(f"unknown initializer {method!r}")


def initialize_bias(method: str, shape, rng: np.random.Generator, gates: int = 1,
                    forget_gate: int | None = None):
    """A bias vector; 'unit-forget-gate' sets block ``forget_gate`` of ``gates`` blocks to one."""
    if method == "unit-forget-gate":
        b = np.zeros(shape)
        h = shape[0] // gates
        b[forget_gate * h:(forget_gate + 1) * h] = 1.0
        return b
    return initialize_weights(method, shape, 1, 1, rng)
