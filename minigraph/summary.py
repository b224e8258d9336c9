"""`tf.summary`: summary ops and the event-file writer (needs the `tensorboard` extra)."""

__all__: list = []
