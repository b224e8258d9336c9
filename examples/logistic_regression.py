"""Logistic regression on two Gaussian blobs with sigmoid cross-entropy and Momentum.

Run: python examples/logistic_regression.py
"""

import numpy as np

import minigraph as tf

rng = np.random.default_rng(2)
n = 200
points = np.concatenate([rng.normal(-1.0, 0.8, size=(n, 2)), rng.normal(1.0, 0.8, size=(n, 2))])
labels = np.concatenate([np.zeros((n, 1)), np.ones((n, 1))])
points, labels = points.astype(np.float32), labels.astype(np.float32)

x = tf.placeholder(tf.float32, [None, 2], name="x")
y = tf.placeholder(tf.float32, [None, 1], name="y")
w = tf.Variable(tf.zeros([2, 1]), name="w")
b = tf.Variable(0.0, name="b")
logits = tf.matmul(x, w) + b
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0.0, tf.float32), y), tf.float32))
train_op = tf.train.MomentumOptimizer(0.1, momentum=0.9).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(200):
        _, loss_value = sess.run([train_op, loss], {x: points, y: labels})
        if step % 50 == 0:
            print(f"step {step:3d}  loss {loss_value:.4f}")
    print(f"training accuracy: {sess.run(accuracy, {x: points, y: labels}):.3f}")
