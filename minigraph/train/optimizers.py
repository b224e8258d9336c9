"""tf.train: optimizers."""

__all__: list = []
