"""tf.train: schedules."""

__all__: list = []
