"""tf.train: optimizer."""

__all__: list = []
