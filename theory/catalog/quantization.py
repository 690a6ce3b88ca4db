"""TEMPORARY shim: claims still registered in quantization; to be moved here."""

from ..quantization import OPTIMAL_LE_LLOYD, QUANTIZED_GEN_BOUND, COMPRESSION_LOWERS_RISK

__all__ = ['OPTIMAL_LE_LLOYD', 'QUANTIZED_GEN_BOUND', 'COMPRESSION_LOWERS_RISK']
