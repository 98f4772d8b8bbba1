"""torch -> ONNX artifact: BN folding, export, int8 weight quantization, parity check with torch."""
