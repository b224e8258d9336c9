"""The seed program: one full TF1 training step, run unchanged on minigraph.

Schedule (polynomial decay) + linear warmup + gradients + clip_by_global_norm + Adam +
global_step, exactly as TF 1.x code writes it. Prints loss, learning rate and global_step
per step (fetched with train_op, global_step is its value after the step, as in TF 1.x:
1..40), then the final global_step (40). Run: python examples/seed_program.py
"""

import numpy as np

import minigraph as tf

init_lr, num_train_steps, num_warmup_steps = 0.1, 40, 5

# A small regression problem: y = x . w_true + noise.
rng = np.random.default_rng(0)
features = rng.normal(size=(64, 3)).astype(np.float32)
targets = features @ np.array([[1.5], [-2.0], [0.5]], dtype=np.float32) + 0.3

x = tf.placeholder(tf.float32, [None, 3], name="x")
y = tf.placeholder(tf.float32, [None, 1], name="y")
with tf.variable_scope("model"):
    w = tf.get_variable("kernel", [3, 1], initializer=tf.zeros_initializer())
    b = tf.get_variable("bias", [1], initializer=tf.zeros_initializer())
loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))

# --- the seven-part training step, as TF 1.x programs write it ---------------------------
global_step = tf.train.get_or_create_global_step()
learning_rate = tf.train.polynomial_decay(init_lr, global_step, num_train_steps,
                                          end_learning_rate=0.0, power=1.0, cycle=False)
# The name scope only names the ops (warmup/Cast, ...), so TensorBoard and minigraph.viz
# draw the warmup as one part; BERT's original has none and computes the same values.
with tf.name_scope("warmup"):
    global_steps_int = tf.cast(global_step, tf.int32)
    warmup_steps_int = tf.constant(num_warmup_steps, dtype=tf.int32)
    warmup_percent_done = (tf.cast(global_steps_int, tf.float32)
                           / tf.cast(warmup_steps_int, tf.float32))
    is_warmup = tf.cast(global_steps_int < warmup_steps_int, tf.float32)
    learning_rate = ((1.0 - is_warmup) * learning_rate
                     + is_warmup * init_lr * warmup_percent_done)
tvars = tf.trainable_variables()
grads = tf.gradients(loss, tvars)
(grads, _) = tf.clip_by_global_norm(grads, clip_norm=1.0)
optimizer = tf.train.AdamOptimizer(learning_rate)
train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=global_step)  # noqa: B905
# ------------------------------------------------------------------------------------------

if __name__ == "__main__":  # docs/make_images.py builds the graph without training it
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {x: features, y: targets}
        for _ in range(num_train_steps):
            # Fetched together with train_op, loss and learning rate are the pre-update values
            # and global_step (the variable itself) the value after this step's increment.
            _, loss_value, lr_value, step = sess.run([train_op, loss, learning_rate, global_step],
                                                     feed)
            print(f"step {step:3d}  loss {loss_value:9.5f}  learning rate {lr_value:.5f}")
        print("final global_step:", sess.run(global_step))
        print("kernel:", sess.run(w).ravel(), "bias:", sess.run(b))
