"""Finite-difference gradient checking, for the test suite and for users' own ops.

Lives here: `compute_gradient` and `compute_gradient_error` (the TF1 `tf.test` functions) and
`check_gradients`, an assertion built on them. `minigraph.test` re-exports the TF names.
"""

from __future__ import annotations

import numpy as np

from .framework.graph import get_default_session
from .framework.tensor import Tensor
from .gradients import gradients
from .ops.constant_op import convert_to_tensor, placeholder

__all__ = ["compute_gradient", "compute_gradient_error", "check_gradients"]


def _session(session):
    session = session or get_default_session()
    if session is None:
        raise ValueError("compute_gradient needs a session: call it inside "
                         "`with tf.Session() as sess:` or pass session=.")
    return session


def _jacobians(xs, x_values, y, y_shape, delta, feed, session):
    y_size = int(np.prod(y_shape, dtype=np.int64))
    dy = placeholder(y.dtype.base_dtype, y_shape, name="compute_gradient_dy")
    # A sparse gradient (IndexedSlices) is compared as the dense tensor it stands for.
    grads = [None if g is None else convert_to_tensor(g)
             for g in gradients(y, xs, grad_ys=dy)]
    base = {**feed, **dict(zip(xs, x_values))}
    theoretical, numerical = [], []
    for x, x_val, g in zip(xs, x_values, grads):
        x_size = x_val.size
        jt = np.zeros((x_size, y_size), dtype=np.float64)
        if g is not None:
            for j in range(y_size):
                onehot = np.zeros(y_size, dtype=y.dtype.base_dtype.as_numpy_dtype)
                onehot[j] = 1
                jt[:, j] = np.ravel(session.run(g, {**base, dy: onehot.reshape(y_shape)}))
        jn = np.zeros((x_size, y_size), dtype=np.float64)
        for i in range(x_size):
            plus, minus = x_val.copy(), x_val.copy()
            plus.flat[i] += delta
            minus.flat[i] -= delta
            y_plus = session.run(y, {**base, x: plus}).astype(np.float64)
            y_minus = session.run(y, {**base, x: minus}).astype(np.float64)
            jn[i, :] = np.ravel(y_plus - y_minus) / (2 * delta)
        theoretical.append(jt)
        numerical.append(jn)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                     init_targets=None, extra_feed_dict=None, session=None):
    """Return (theoretical, numerical) Jacobians of `y` with respect to `x`.

    Each Jacobian has shape (x size, y size). `x` may be a list (then `x_shape` and
    `x_init_value` are lists and a list of pairs is returned). Runs in the default session.
    """
    session = _session(session)
    if init_targets is not None:
        session.run(init_targets)
    single = isinstance(x, Tensor) or not isinstance(x, (list, tuple))
    xs = [x] if single else list(x)
    shapes = [x_shape] if single else list(x_shape)
    if x_init_value is None:
        rng = np.random.default_rng(0)
        values = [rng.uniform(-1, 1, size=s).astype(t.dtype.base_dtype.as_numpy_dtype)
                  for t, s in zip(xs, shapes)]
    else:
        values = [x_init_value] if single else list(x_init_value)
        values = [np.array(v, dtype=t.dtype.base_dtype.as_numpy_dtype).reshape(s)
                  for v, t, s in zip(values, xs, shapes)]
    theo, num = _jacobians(xs, values, y, list(y_shape), delta, extra_feed_dict or {},
                           session)
    pairs = list(zip(theo, num))
    return pairs[0] if single else pairs


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None, session=None) -> float:
    """Return the largest absolute difference between theoretical and numerical Jacobians."""
    result = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                              extra_feed_dict, session)
    pairs = [result] if isinstance(result, tuple) else result
    return max(float(np.max(np.abs(t - n), initial=0.0)) for t, n in pairs)


def check_gradients(y, xs, values, feed_dict=None, delta=1e-6, rtol=1e-4, atol=1e-6,
                    session=None) -> None:
    """Assert that `tf.gradients(y, xs)` matches central finite differences.

    `xs` are feedable tensors (usually float64 placeholders) and `values` their values.
    Raises AssertionError naming the input and the largest mismatch.
    """
    session = _session(session)
    y_shape = list(session.run(y, {**(feed_dict or {}), **dict(zip(xs, values))}).shape) \
        if not y.shape.is_fully_defined() else y.shape.as_list()
    values = [np.array(v, dtype=x.dtype.base_dtype.as_numpy_dtype) for x, v in zip(xs, values)]
    theo, num = _jacobians(list(xs), values, y, y_shape, delta, feed_dict or {}, session)
    for x, t, n in zip(xs, theo, num):
        if not np.allclose(t, n, rtol=rtol, atol=atol, equal_nan=True):
            worst = np.unravel_index(np.argmax(np.abs(t - n)), t.shape)
            raise AssertionError(f"Gradient of {y.name} with respect to {x.name} disagrees "
                                 f"with finite differences: at (x index, y index) {worst} "
                                 f"symbolic {t[worst]!r} vs numeric {n[worst]!r}.\n"
                                 f"symbolic:\n{t}\nnumeric:\n{n}")
