"""tf.train: saver."""

__all__: list = []
