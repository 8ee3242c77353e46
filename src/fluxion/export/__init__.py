"""`fluxion.export`: models to other formats for deployment.

- `fluxion.export.onnx.export_onnx(model, "model.onnx")` — ONNX (optional extra `onnx`), run by
  onnxruntime with the same outputs as Fluxion.

Example:
>>> from fluxion.export import onnx  # doctest: +SKIP
"""
