"""torch -> ONNX artifact: BN folding, export, int8 quantization, and the checked export every caller uses."""
