"""Neural-network primitive ops (activations, softmax, cross-entropy kernels).

Lives here: nn primitives with their kernels and gradients. The public `tf.nn` namespace is
nn.py; composites built from primitives (moments, l2_normalize, dropout) live there too.
"""

__all__: list = []
