"""`minigraph.onnx`: export a model's forward graph and weights for ONNX Runtime.

minigraph-only (TF1 has no ONNX export); logic in export/onnx/. Imports only.
"""

from .export.onnx import OPSET, RULES, export

__all__ = ["export", "OPSET", "RULES"]
