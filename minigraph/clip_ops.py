"""Clip ops: clip_by_value, clip_by_norm, global_norm, clip_by_global_norm,
clip_by_average_norm (composites of primitive ops)."""

__all__: list = []
