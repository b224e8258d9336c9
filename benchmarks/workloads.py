"""The benchmark workloads W1-W9, each written once in TF1 style and once in hand numpy.

Each `minigraph_*` function takes the module to use as `tf` (minigraph, or
`tensorflow.compat.v1` when installed) so one definition serves both engines. The
`numpy_*` functions are the hand-written baselines: preallocated buffers, in-place updates,
as fast as we could honestly make them.
"""

from __future__ import annotations

import numpy as np

def _runner(sess, fetches, feed):
    """A zero-argument step function that also carries what benchmarks/profile.py needs."""
    def step():
        return sess.run(fetches, feed)

    step.session, step.fetches, step.feed = sess, fetches, feed
    return step


# ---------------------------------------------------------------------------------------
# W1: MLP 784-512-256-10, batch 128, full training step with Adam + schedule + clipping
# ---------------------------------------------------------------------------------------
W1_SIZES = (784, 512, 256, 10)
W1_BATCH = 128
ADAM = dict(beta1=0.9, beta2=0.999, epsilon=1e-8)


def w1_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(W1_BATCH, W1_SIZES[0])).astype(np.float32)
    y = rng.integers(0, W1_SIZES[-1], size=W1_BATCH).astype(np.int64)
    weights = []
    for fan_in, fan_out in zip(W1_SIZES[:-1], W1_SIZES[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32))
        weights.append(np.zeros(fan_out, dtype=np.float32))
    return x, y, weights


def w1_minigraph(tf, x_value, y_value, weights):
    """Build the W1 step; return a zero-argument function running one step."""
    x = tf.placeholder(tf.float32, [None, W1_SIZES[0]], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    params = [tf.Variable(w, name=f"p{i}") for i, w in enumerate(weights)]
    h = x
    for i in range(0, len(params), 2):
        h = tf.matmul(h, params[i]) + params[i + 1]
        if i < len(params) - 2:
            h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
    global_step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(1e-3, global_step, 100, 0.96)
    warm = tf.cast(global_step, tf.float32) / 10.0
    is_warm = tf.cast(global_step < 10, tf.float32)
    lr = (1.0 - is_warm) * lr + is_warm * 1e-3 * warm
    grads = tf.gradients(loss, params)
    grads, _ = tf.clip_by_global_norm(grads, 1.0)
    train_op = tf.train.AdamOptimizer(lr, **ADAM).apply_gradients(
        zip(grads, params), global_step=global_step)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: x_value, y: y_value}
    return _runner(sess, [train_op], feed)


def w1_numpy(x, y, weights):
    """Hand-written numpy W1 step with preallocated buffers and in-place Adam."""
    params = [w.copy() for w in weights]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    grads = [np.empty_like(p) for p in params]
    batch = x.shape[0]
    acts = [np.empty((batch, n), np.float32) for n in W1_SIZES[1:]]
    deltas = [np.empty((batch, n), np.float32) for n in W1_SIZES[1:]]
    onehot = np.zeros((batch, W1_SIZES[-1]), np.float32)
    onehot[np.arange(batch), y] = 1.0
    state = {"step": 0, "b1p": 1.0, "b2p": 1.0}
    b1, b2, eps = ADAM["beta1"], ADAM["beta2"], ADAM["epsilon"]

    def step():
        h = x
        n_layers = len(acts)
        for i in range(n_layers):
            np.matmul(h, params[2 * i], out=acts[i])
            acts[i] += params[2 * i + 1]
            if i < n_layers - 1:
                np.maximum(acts[i], 0.0, out=acts[i])
            h = acts[i]
        logits = acts[-1]
        d = deltas[-1]
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=d)
        np.exp(d, out=d)
        d /= d.sum(axis=1, keepdims=True)
        d -= onehot
        d *= 1.0 / batch
        for i in range(n_layers - 1, -1, -1):
            below = x if i == 0 else acts[i - 1]
            np.matmul(below.T, deltas[i], out=grads[2 * i])
            np.sum(deltas[i], axis=0, out=grads[2 * i + 1])
            if i > 0:
                np.matmul(deltas[i], params[2 * i].T, out=deltas[i - 1])
                deltas[i - 1] *= acts[i - 1] > 0
        norm = np.sqrt(sum(float(np.vdot(g, g)) for g in grads))
        scale = 1.0 * min(1.0 / norm, 1.0)
        s = state["step"]
        lr = 1e-3 * 0.96 ** (s / 100.0)
        if s < 10:
            lr = 1e-3 * s / 10.0
        state["b1p"] *= b1
        state["b2p"] *= b2
        lr_t = lr * np.sqrt(1 - state["b2p"]) / (1 - state["b1p"])
        for p, g, mm, vv in zip(params, grads, m, v):
            g *= scale
            mm *= b1
            mm += (1 - b1) * g
            vv *= b2
            g *= g
            g *= 1 - b2
            vv += g
            np.sqrt(vv, out=g)
            g += eps
            np.divide(mm, g, out=g)
            g *= lr_t
            p -= g
        state["step"] = s + 1

    return step


# ---------------------------------------------------------------------------------------
# W2: dispatch, 2000 chained tiny elementwise ops on float32[8], forward only
# ---------------------------------------------------------------------------------------
W2_OPS = 2000


def w2_minigraph(tf):
    x = tf.placeholder(tf.float32, [8], name="x")
    c = tf.constant(np.full(8, 1.0001, np.float32))
    y = x
    for i in range(W2_OPS):
        y = y * c if i % 2 else y + c
    sess = tf.Session()
    feed = {x: np.ones(8, np.float32)}
    return lambda: sess.run(y, feed)


def w2_numpy():
    x = np.ones(8, np.float32)
    c = np.full(8, 1.0001, np.float32)
    add, mul = np.add, np.multiply

    def run():
        y = x
        for i in range(W2_OPS):
            y = mul(y, c) if i % 2 else add(y, c)
        return y

    return run


# ---------------------------------------------------------------------------------------
# W3: tf.gradients build time on a chain of N ops
# ---------------------------------------------------------------------------------------
def w3_build(tf, n):
    """Return a function that builds a fresh N-op chain and times only tf.gradients."""
    import time

    def run():
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(tf.float32, [8], name="x")
            y = x
            for i in range(n):
                y = y * 1.0001 if i % 2 else y + 1.0
            start = time.perf_counter()
            tf.gradients(y, [x])
            return time.perf_counter() - start

    return run


# ---------------------------------------------------------------------------------------
# W4: logistic regression, 64 features, batch 32, one Session.run per step
# ---------------------------------------------------------------------------------------
W4_FEATURES, W4_BATCH = 64, 32


def w4_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(W4_BATCH, W4_FEATURES)).astype(np.float32)
    y = (rng.uniform(size=(W4_BATCH, 1)) > 0.5).astype(np.float32)
    return x, y


def w4_minigraph(tf, x_value, y_value):
    x = tf.placeholder(tf.float32, [None, W4_FEATURES], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    w = tf.Variable(tf.zeros([W4_FEATURES, 1]), name="w")
    b = tf.Variable(tf.zeros([1]), name="b")
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: x_value, y: y_value}
    return _runner(sess, [train_op, loss], feed)


def w4_numpy(x, y):
    w = np.zeros((W4_FEATURES, 1), np.float32)
    b = np.zeros(1, np.float32)
    n = np.float32(x.shape[0])

    def step():
        logits = x @ w
        logits += b
        loss = np.mean(np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits))))
        d = 1.0 / (1.0 + np.exp(-logits))
        d -= y
        d /= n
        w.__isub__(np.float32(0.1) * (x.T @ d))
        b.__isub__(np.float32(0.1) * d.sum(axis=0))
        return loss

    return step


# ---------------------------------------------------------------------------------------
# W5: MLP 20 x 1024, batch 256, forward + backward, peak memory
# ---------------------------------------------------------------------------------------
W5_LAYERS, W5_WIDTH, W5_BATCH = 20, 1024, 256


def w5_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(W5_BATCH, W5_WIDTH)).astype(np.float32)
    ws = [(rng.normal(size=(W5_WIDTH, W5_WIDTH)) / np.sqrt(W5_WIDTH)).astype(np.float32)
          for _ in range(W5_LAYERS)]
    return x, ws


def w5_minigraph(tf, x_value, ws):
    x = tf.placeholder(tf.float32, [None, W5_WIDTH], name="x")
    params = [tf.Variable(w, name=f"w{i}") for i, w in enumerate(ws)]
    h = x
    for p in params:
        h = tf.nn.relu(tf.matmul(h, p))
    loss = tf.reduce_sum(h)
    grads = tf.gradients(loss, params)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    feed = {x: x_value}
    return lambda: sess.run(grads, feed)


def w5_numpy(x, ws):
    def run():
        acts = [x]
        for w in ws:
            acts.append(np.maximum(acts[-1] @ w, 0))
        g = np.ones_like(acts[-1])
        grads = [None] * len(ws)
        for i in range(len(ws) - 1, -1, -1):
            g = g * (acts[i + 1] > 0)
            grads[i] = acts[i].T @ g
            g = g @ ws[i].T
            acts[i + 1] = None
        return grads

    return run


# ---------------------------------------------------------------------------------------
# W6: small CNN training step: conv5x5(16)-relu-maxpool2, conv5x5(32)-relu-maxpool2,
#     dense 1568->10, softmax cross-entropy, Adam; batch 64 of 28x28x1
# ---------------------------------------------------------------------------------------
W6_BATCH, W6_SIDE, W6_KERNEL, W6_CHANNELS, W6_CLASSES = 64, 28, 5, (1, 16, 32), 10


def w6_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(W6_BATCH, W6_SIDE, W6_SIDE, 1)).astype(np.float32)
    y = rng.integers(0, W6_CLASSES, size=W6_BATCH).astype(np.int64)
    k, (c0, c1, c2) = W6_KERNEL, W6_CHANNELS
    flat = (W6_SIDE // 4) ** 2 * c2
    shapes = [(k, k, c0, c1), (c1,), (k, k, c1, c2), (c2,), (flat, W6_CLASSES), (W6_CLASSES,)]
    params = []
    for shape in shapes:
        if len(shape) == 1:
            params.append(np.zeros(shape, np.float32))
        else:
            fan_in, fan_out = int(np.prod(shape[:-1])), shape[-1] * int(np.prod(shape[:-2]))
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            params.append(rng.uniform(-limit, limit, size=shape).astype(np.float32))
    return x, y, params


def w6_minigraph(tf, x_value, y_value, params):
    """Build the W6 step with tf.nn ops; return a zero-argument function running one step."""
    x = tf.placeholder(tf.float32, [None, W6_SIDE, W6_SIDE, 1], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    w1, b1, w2, b2, w3, b3 = [tf.Variable(p, name=f"p{i}") for i, p in enumerate(params)]
    h = x
    for w, b in ((w1, b1), (w2, b2)):
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, w, [1, 1, 1, 1], "SAME"), b))
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    logits = tf.matmul(tf.reshape(h, [-1, w3.shape[0].value]), w3) + b3
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train_op = tf.train.AdamOptimizer(1e-3, **ADAM).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return _runner(sess, [train_op, loss], {x: x_value, y: y_value})


def _im2col_same(x, k, cols):
    """Copy every k x k window of x (zero-padded SAME, stride 1) into cols [N,H,W,k,k,C]."""
    pad = (k - 1) // 2
    padded = np.pad(x, ((0, 0), (pad, k - 1 - pad), (pad, k - 1 - pad), (0, 0)))
    h, w = x.shape[1:3]
    if x.shape[3] >= 8:  # wide channels: one copy of the sliding-window view is fastest
        view = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2))
        cols[...] = view.transpose(0, 1, 2, 4, 5, 3)
    else:  # one channel: copying tap by tap avoids a 6-D copy with a 1-element inner loop
        for i in range(k):
            for j in range(k):
                cols[:, :, :, i, j, :] = padded[:, i:i + h, j:j + w, :]
    return cols.reshape(-1, k * k * x.shape[3])


def _input_grad_same(d, w, cols):
    """Input gradient of a SAME stride-1 convolution: dy correlated with the filter flipped in
    space and with in/out channels swapped (one im2col of dy into `cols`, one matmul)."""
    k = w.shape[0]
    flipped = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(-1, w.shape[2])
    return (_im2col_same(d, k, cols) @ flipped).reshape(d.shape[:3] + (w.shape[2],))


def _pool2(h):
    """2x2/2 max pool: the maximum of the four strided quarter views."""
    top = np.maximum(h[:, ::2, ::2], h[:, ::2, 1::2])
    return np.maximum(top, np.maximum(h[:, 1::2, ::2], h[:, 1::2, 1::2]), out=top)


def _unpool2(h, pooled, grad):
    """The 2x2/2 max pool gradient: grad wherever an input equals its window's maximum.

    (Ties get the gradient more than once; after ReLU they are zeros, which the ReLU mask
    clears, so the step's result is unchanged.)
    """
    out = np.empty_like(h)
    for i in range(2):
        for j in range(2):
            np.multiply(grad, h[:, i::2, j::2] == pooled, out=out[:, i::2, j::2])
    return out


def w6_numpy(x, y, params):
    """Hand-written numpy W6 step: own im2col, one matmul per conv pass, in-place Adam."""
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    n, k, (c0, c1, c2) = x.shape[0], W6_KERNEL, W6_CHANNELS
    side = W6_SIDE
    cols1 = np.empty((n, side, side, k, k, c0), np.float32)
    cols2 = np.empty((n, side // 2, side // 2, k, k, c1), np.float32)
    cols2_back = np.empty((n, side // 2, side // 2, k, k, c2), np.float32)
    onehot = np.zeros((n, W6_CLASSES), np.float32)
    onehot[np.arange(n), y] = 1.0
    state = {"b1p": 1.0, "b2p": 1.0}
    b1, b2, eps = ADAM["beta1"], ADAM["beta2"], ADAM["epsilon"]

    def step():
        w1, bias1, w2, bias2, w3, bias3 = params
        a1 = _im2col_same(x, k, cols1) @ w1.reshape(-1, c1)
        a1 += bias1
        np.maximum(a1, 0, out=a1)
        a1 = a1.reshape(n, side, side, c1)
        p1 = _pool2(a1)
        a2 = _im2col_same(p1, k, cols2) @ w2.reshape(-1, c2)
        a2 += bias2
        np.maximum(a2, 0, out=a2)
        a2 = a2.reshape(n, side // 2, side // 2, c2)
        p2 = _pool2(a2)
        flat = p2.reshape(n, -1)
        logits = flat @ w3 + bias3
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        probs = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[np.arange(n), y]))
        d = (probs - onehot) / n
        grads = [None, None, None, None, flat.T @ d, d.sum(axis=0)]
        d = _unpool2(a2, p2, (d @ w3.T).reshape(p2.shape))
        d *= a2 > 0
        d = d.reshape(-1, c2)
        grads[2] = (cols2.reshape(-1, k * k * c1).T @ d).reshape(w2.shape)
        grads[3] = d.sum(axis=0)
        d = _unpool2(a1, p1, _input_grad_same(d.reshape(a2.shape), w2, cols2_back))
        d *= a1 > 0
        d = d.reshape(-1, c1)
        grads[0] = (cols1.reshape(-1, k * k * c0).T @ d).reshape(w1.shape)
        grads[1] = d.sum(axis=0)
        state["b1p"] *= b1
        state["b2p"] *= b2
        lr_t = 1e-3 * np.sqrt(1 - state["b2p"]) / (1 - state["b1p"])
        for p, g, mm, vv in zip(params, grads, m, v):
            mm *= b1
            mm += (1 - b1) * g
            vv *= b2
            vv += (1 - b2) * (g * g)
            p -= lr_t * mm / (np.sqrt(vv) + eps)
        return loss

    return step


# ---------------------------------------------------------------------------------------
# W7: LSTM language-model step: embedding, dynamic_rnn (35 steps, hidden 200), full
# softmax over 10,000 words, Adam
# ---------------------------------------------------------------------------------------
W7_BATCH, W7_STEPS, W7_HIDDEN, W7_VOCAB = 20, 35, 200, 10000


def w7_data(seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, W7_VOCAB, size=(W7_BATCH, W7_STEPS + 1)).astype(np.int32)
    h, v = W7_HIDDEN, W7_VOCAB

    def uniform(*shape):
        return rng.uniform(-0.1, 0.1, size=shape).astype(np.float32)

    params = [uniform(v, h), uniform(2 * h, 4 * h), np.zeros(4 * h, np.float32),
              uniform(h, v), np.zeros(v, np.float32)]
    return ids[:, :-1], ids[:, 1:], params


def w7_minigraph(tf, x_value, y_value, params):
    """Build the W7 step (PTB-style LSTM language model); return a step function."""
    x = tf.placeholder(tf.int32, [W7_BATCH, W7_STEPS], name="x")
    y = tf.placeholder(tf.int32, [W7_BATCH, W7_STEPS], name="y")
    embedding = tf.Variable(params[0], name="embedding")
    inputs = tf.nn.embedding_lookup(embedding, x)
    cell = tf.nn.rnn_cell.BasicLSTMCell(W7_HIDDEN, forget_bias=0.0)
    outputs, _ = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
    softmax_w = tf.Variable(params[3], name="softmax_w")
    softmax_b = tf.Variable(params[4], name="softmax_b")
    logits = tf.matmul(tf.reshape(outputs, [-1, W7_HIDDEN]), softmax_w) + softmax_b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.reshape(y, [-1]), logits=logits))
    train_op = tf.train.AdamOptimizer(1e-3, **ADAM).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    kernel, bias = cell.weights if hasattr(cell, "weights") else cell.variables
    kernel.load(params[1], sess)
    bias.load(params[2], sess)
    return _runner(sess, [train_op, loss], {x: x_value, y: y_value})


def _sigmoid(x, out):
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _lstm_forward(xe, kernel, bias, cache):
    """Run the LSTM over time; fill `cache` (inputs, gates, cells) and return outputs."""
    steps = xe.shape[1]
    hidden = W7_HIDDEN
    zin, gates, cells, outs = cache["zin"], cache["gates"], cache["cells"], cache["outs"]
    for t in range(steps):
        zin[t, :, :hidden] = xe[:, t]
        zin[t, :, hidden:] = outs[t - 1] if t else 0.0
        g = gates[t]
        np.matmul(zin[t], kernel, out=g)
        g += bias
        _sigmoid(g[:, :hidden], g[:, :hidden])                 # i
        np.tanh(g[:, hidden:2 * hidden], out=g[:, hidden:2 * hidden])   # j
        _sigmoid(g[:, 2 * hidden:], g[:, 2 * hidden:])         # f (forget_bias 0), o
        c = cells[t]
        np.multiply(g[:, :hidden], g[:, hidden:2 * hidden], out=c)
        if t:
            c += cells[t - 1] * g[:, 2 * hidden:3 * hidden]
        np.tanh(c, out=outs[t])
        outs[t] *= g[:, 3 * hidden:]
    return outs


def _lstm_backward(d_outs, kernel, cache, d_kernel, d_bias):
    """Backpropagation through time; return the gradient of the inputs [steps, batch, h]."""
    steps, batch, hidden = d_outs.shape[0], d_outs.shape[1], W7_HIDDEN
    zin, gates, cells = cache["zin"], cache["gates"], cache["cells"]
    d_kernel[...] = 0.0
    d_bias[...] = 0.0
    dh_next = np.zeros((batch, hidden), np.float32)
    dc_next = np.zeros((batch, hidden), np.float32)
    dz = np.empty((batch, 4 * hidden), np.float32)
    d_in = np.empty((steps, batch, hidden), np.float32)
    for t in range(steps - 1, -1, -1):
        g = gates[t]
        i, j, f, o = (g[:, k * hidden:(k + 1) * hidden] for k in range(4))
        tc = np.tanh(cells[t])
        dh = d_outs[t] + dh_next
        dz[:, 3 * hidden:] = dh * tc * o * (1.0 - o)
        dc = dc_next + dh * o * (1.0 - tc * tc)
        dz[:, :hidden] = dc * j * i * (1.0 - i)
        dz[:, hidden:2 * hidden] = dc * i * (1.0 - j * j)
        if t:
            dz[:, 2 * hidden:3 * hidden] = dc * cells[t - 1] * f * (1.0 - f)
        else:
            dz[:, 2 * hidden:3 * hidden] = 0.0
        dc_next = dc * f
        d_kernel += zin[t].T @ dz
        d_bias += dz.sum(axis=0)
        dzin = dz @ kernel.T
        d_in[t] = dzin[:, :hidden]
        dh_next = dzin[:, hidden:]
    return d_in


def w7_numpy(x, y, params):
    """Hand-written numpy W7 step: forward, BPTT, softmax gradient, Adam on every table."""
    params = [p.copy() for p in params]
    embedding, kernel, bias, softmax_w, softmax_b = params
    grads = [np.zeros_like(p) for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    steps, batch, hidden = W7_STEPS, W7_BATCH, W7_HIDDEN
    cache = {"zin": np.empty((steps, batch, 2 * hidden), np.float32),
             "gates": np.empty((steps, batch, 4 * hidden), np.float32),
             "cells": np.empty((steps, batch, hidden), np.float32),
             "outs": np.empty((steps, batch, hidden), np.float32)}
    labels = y.T.reshape(-1)  # time-major rows, like the outputs below
    rows = np.arange(labels.size)
    logits_buffer = np.empty((labels.size, W7_VOCAB), np.float32)
    state = {"b1p": 1.0, "b2p": 1.0}
    b1, b2, eps = ADAM["beta1"], ADAM["beta2"], ADAM["epsilon"]

    def step():
        outs = _lstm_forward(embedding[x], kernel, bias, cache)
        flat = outs.reshape(-1, hidden)
        logits = logits_buffer
        np.matmul(flat, softmax_w, out=logits)
        logits += softmax_b
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        loss = -np.log(logits[rows, labels]).mean()
        logits[rows, labels] -= 1.0
        logits /= labels.size
        np.matmul(flat.T, logits, out=grads[3])
        np.sum(logits, axis=0, out=grads[4])
        d_outs = (logits @ softmax_w.T).reshape(steps, batch, hidden)
        d_in = _lstm_backward(d_outs, kernel, cache, grads[1], grads[2])
        grads[0][...] = 0.0
        np.add.at(grads[0], x.T.reshape(-1), d_in.reshape(-1, hidden))
        state["b1p"] *= b1
        state["b2p"] *= b2
        lr_t = 1e-3 * np.sqrt(1 - state["b2p"]) / (1 - state["b1p"])
        for p, g, mm, vv in zip(params, grads, m, v):
            mm *= b1
            mm += (1 - b1) * g
            vv *= b2
            g *= g
            g *= 1 - b2
            vv += g
            np.sqrt(vv, out=g)
            g += eps
            np.divide(mm, g, out=g)
            g *= lr_t
            p -= g
        return loss

    return step


# ---------------------------------------------------------------------------------------
# W8: embedding 50,000 x 128 updated through a batch of 32 ids (GradientDescent)
# ---------------------------------------------------------------------------------------
W8_VOCAB, W8_DIM, W8_BATCH, W8_LR = 50_000, 128, 32, 0.1


def w8_data(seed=0):
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(W8_VOCAB, W8_DIM)).astype(np.float32)
    ids = rng.integers(0, W8_VOCAB, size=W8_BATCH).astype(np.int32)
    target = rng.normal(size=(W8_BATCH, W8_DIM)).astype(np.float32)
    return table, ids, target


def w8_minigraph(tf, table_value, ids_value, target_value, dense=False):
    """One GD step on sum(lookup(table, ids) * target); the gradient is an IndexedSlices,
    applied with ScatterSub (rows only). `dense=True` converts it first (the whole table)."""
    ids = tf.placeholder(tf.int32, [None], name="ids")
    target = tf.placeholder(tf.float32, [None, W8_DIM], name="target")
    table = tf.Variable(table_value, name="table")
    loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids) * target)
    opt = tf.train.GradientDescentOptimizer(W8_LR)
    (grad, var), = opt.compute_gradients(loss, [table])
    if dense:
        grad = tf.convert_to_tensor(grad)
    train_op = opt.apply_gradients([(grad, var)])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return _runner(sess, [train_op], {ids: ids_value, target: target_value})


def w8_numpy(table_value, ids, target):
    table = table_value.copy()

    def run():
        np.subtract.at(table, ids, W8_LR * target)  # d loss / d row = target

    return run
# W9: a chain y = tanh(y * 1.01 + 0.5) of N ops (with constants): tf.gradients build time,
#     the first run of the gradient (compile + execute) and the second run, per op
# ---------------------------------------------------------------------------------------
def w9_chain(tf, n):
    """Build an N-op chain in a fresh graph; return {"build", "first run", "second run"}
    in seconds per op of the chain (CPU time of this process, steadier on a shared
    machine than wall time)."""
    import time

    clock = time.process_time
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [8], name="x")
        y = x
        for _ in range(n // 3):
            y = tf.tanh(y * 1.01 + 0.5)
        start = clock()
        grad, = tf.gradients(y, [x])
        built = clock()
        sess = tf.Session()
        feed = {x: np.full(8, 0.1, np.float32)}
        sess.run(grad, feed)
        first = clock()
        sess.run(grad, feed)
        second = clock()
        sess.close()
    return {"build": (built - start) / n, "first run": (first - built) / n,
            "second run": (second - first) / n}
