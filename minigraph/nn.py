"""`tf.nn`: re-exports of neural-network ops and composites."""

__all__: list = []
