"""Import recipes for real municipal open data (Berlin, Flensburg), built on the same importers."""
