"""`tf.losses`: TF1 loss functions with their default reduction."""

__all__: list = []
