"""Geodata helpers: CRS handling, geometry generation, simplification, spatial joins.

Metric work happens in ETRS89/UTM; EPSG:4326 only at the plotly boundary.
"""
