"""`minigraph.onnx`: export a model's forward graph and weights for ONNX Runtime.

minigraph-only (TF1 has no ONNX export); logic in export/onnx_export.py. Imports only.
"""

from .export.onnx_export import OPSET, RULES, export

__all__ = ["export", "OPSET", "RULES"]
