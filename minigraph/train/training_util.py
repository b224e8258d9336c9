"""tf.train: training_util."""

__all__: list = []
