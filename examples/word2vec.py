"""Skip-gram word vectors (as in CS20's word2vec) on a generated corpus, TF1 style.

The corpus has four topics of ten words; each sentence draws its words from one topic. A
tf.data pipeline turns sentences into (center, context) pairs from a Python generator,
shuffles and batches them; nce_loss scores each pair against sampled noise words, and the
embedding table gets sparse (IndexedSlices) updates: only the rows of a batch's words move.
After training, words of one topic are closer to each other than to other topics' words.

Run: python examples/word2vec.py
"""

import numpy as np

import minigraph as tf

TOPICS, WORDS_PER_TOPIC, SENTENCES, LENGTH, WINDOW = 4, 10, 400, 8, 2
VOCAB = TOPICS * WORDS_PER_TOPIC
EMBED, NUM_SAMPLED, BATCH, STEPS = 16, 8, 64, 600


def corpus(seed=0):
    rng = np.random.default_rng(seed)
    topics = rng.integers(0, TOPICS, SENTENCES)
    return [topic * WORDS_PER_TOPIC + rng.integers(0, WORDS_PER_TOPIC, LENGTH)
            for topic in topics]


def skipgram_pairs(sentences):
    """Yield (center, [context]) for every word within WINDOW of a center word."""
    for sentence in sentences:
        for i, center in enumerate(sentence):
            for j in range(max(0, i - WINDOW), min(len(sentence), i + WINDOW + 1)):
                if j != i:
                    yield np.int32(center), np.array([sentence[j]], np.int32)


def main():
    tf.set_random_seed(1)
    sentences = corpus()
    dataset = (tf.data.Dataset.from_generator(lambda: skipgram_pairs(sentences),
                                              (tf.int32, tf.int32), ([], [1]))
               .shuffle(2000, seed=2).repeat().batch(BATCH))
    center, context = dataset.make_one_shot_iterator().get_next()

    embeddings = tf.Variable(tf.random_uniform([VOCAB, EMBED], -1.0, 1.0), name="embeddings")
    nce_weights = tf.Variable(tf.truncated_normal([VOCAB, EMBED], stddev=EMBED ** -0.5),
                              name="nce_weights")
    nce_biases = tf.Variable(tf.zeros([VOCAB]), name="nce_biases")
    embedded = tf.nn.embedding_lookup(embeddings, center)
    loss = tf.reduce_mean(tf.nn.nce_loss(nce_weights, nce_biases, context, embedded,
                                         NUM_SAMPLED, VOCAB))
    optimizer = tf.train.GradientDescentOptimizer(1.0)
    grads = optimizer.compute_gradients(loss)
    print("gradient of the embeddings:", type(grads[0][0]).__name__)
    train = optimizer.apply_gradients(grads)
    normalized = tf.nn.l2_normalize(embeddings, axis=1)
    similarity = tf.matmul(normalized, normalized, transpose_b=True)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = []
        for _ in range(STEPS):
            _, value = sess.run([train, loss])
            losses.append(value)
        sim = sess.run(similarity)
    topic = np.arange(VOCAB) // WORDS_PER_TOPIC
    same = topic[:, None] == topic[None, :]
    off_diagonal = ~np.eye(VOCAB, dtype=bool)
    print(f"loss, first 50 steps: {np.mean(losses[:50]):.3f}")
    print(f"loss, last 50 steps: {np.mean(losses[-50:]):.3f}")
    print(f"cosine similarity within topics: {sim[same & off_diagonal].mean():.3f}")
    print(f"cosine similarity across topics: {sim[~same].mean():.3f}")


if __name__ == "__main__":
    main()
