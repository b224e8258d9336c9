"""Train a character-level LSTM language model on generated text, TF1 style.

The pieces a TF1 course uses for this: a `tf.data` pipeline with an initializable iterator
and the OutOfRangeError loop, an embedding, `tf.nn.dynamic_rnn` over a BasicLSTMCell, a
dense softmax layer and Adam; then the trained cell is called one step at a time to
generate text. The text is generated here (simple sentences from a tiny grammar), so the
example needs no download.

Usage: python examples/train_char_lstm.py [--epochs 6] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np

import minigraph as tf

SUBJECTS = ["the cat", "a dog", "my friend", "the old man", "a bird"]
VERBS = ["sees", "likes", "finds", "follows"]
OBJECTS = ["the ball", "a red fish", "the tree", "her hat"]
SEQ_LEN, BATCH, EMBED, HIDDEN = 24, 32, 16, 64


def make_text(sentences: int, seed: int) -> str:
    """Sentences like 'the cat sees a red fish. ' drawn from the grammar above."""
    rng = np.random.default_rng(seed)
    parts = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}. "
             for _ in range(sentences)]
    return "".join(parts)


def windows(ids: np.ndarray, length: int):
    """(inputs, targets): every stretch of `length` characters and the same shifted by one."""
    starts = np.arange(0, len(ids) - length - 1, length // 2)
    inputs = np.stack([ids[s:s + length] for s in starts])
    targets = np.stack([ids[s + 1:s + length + 1] for s in starts])
    return inputs.astype(np.int32), targets.astype(np.int32)


def build_model(vocab: int, x: tf.Tensor, y: tf.Tensor):
    embedding = tf.get_variable("embedding", [vocab, EMBED])
    cell = tf.nn.rnn_cell.BasicLSTMCell(HIDDEN)
    readout = tf.layers.Dense(vocab, name="readout")
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.nn.embedding_lookup(embedding, x),
                                   dtype=tf.float32)
    logits = readout(tf.reshape(outputs, [-1, HIDDEN]))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.reshape(y, [-1]), logits=logits))
    return embedding, cell, readout, loss


def build_sampler(embedding, cell, readout):
    """One step of the trained network: (char id, state) -> (next-char logits, new state)."""
    char = tf.placeholder(tf.int32, [1], name="char")
    state = tf.nn.rnn_cell.LSTMStateTuple(tf.placeholder(tf.float32, [1, HIDDEN], name="c"),
                                          tf.placeholder(tf.float32, [1, HIDDEN], name="h"))
    output, new_state = cell(tf.nn.embedding_lookup(embedding, char), state)
    return char, state, readout(output), new_state


def generate(sess, sampler, prompt: str, chars: list, length: int) -> str:
    char, state, logits, new_state = sampler
    index = {c: i for i, c in enumerate(chars)}
    value = (np.zeros((1, HIDDEN), np.float32), np.zeros((1, HIDDEN), np.float32))
    text = prompt
    for c in prompt[:-1]:
        value = sess.run(new_state, {char: [index[c]], state: value})
    for _ in range(length):
        out, value = sess.run([logits, new_state], {char: [index[text[-1]]], state: value})
        text += chars[int(np.argmax(out))]
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tf.set_random_seed(args.seed)

    text = make_text(300, args.seed)
    chars = sorted(set(text))
    inputs, targets = windows(np.array([chars.index(c) for c in text]), SEQ_LEN)
    print(f"text: {len(text)} characters, vocabulary {len(chars)}, {len(inputs)} windows")

    x_data = tf.placeholder(tf.int32, [None, SEQ_LEN], name="x_data")
    y_data = tf.placeholder(tf.int32, [None, SEQ_LEN], name="y_data")
    dataset = tf.data.Dataset.from_tensor_slices((x_data, y_data))
    dataset = dataset.shuffle(len(inputs), seed=args.seed).batch(BATCH, drop_remainder=True)
    iterator = dataset.make_initializable_iterator()
    x, y = iterator.get_next()
    embedding, cell, readout, loss = build_model(len(chars), x, y)
    train_op = tf.train.AdamOptimizer(0.02).minimize(loss)
    sampler = build_sampler(embedding, cell, readout)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(args.epochs):
            sess.run(iterator.initializer, {x_data: inputs, y_data: targets})
            losses = []
            while True:
                try:
                    losses.append(sess.run([train_op, loss])[1])
                except tf.errors.OutOfRangeError:
                    break
            print(f"epoch {epoch + 1}: loss {np.mean(losses):.3f} ({len(losses)} steps)")
        print("sample:", generate(sess, sampler, "the cat ", chars, 40))


if __name__ == "__main__":
    main()
