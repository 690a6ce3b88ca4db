"""TEMPORARY shim: claims still registered in curvature; to be moved here."""

from ..curvature import HUTCHINSON_TRACE

__all__ = ['HUTCHINSON_TRACE']
