"""Decision papers: a neutral model (``model``), built from a meeting agenda (``build``) and
rendered to PDF (``to_pdf``) and PowerPoint (``to_pptx``) with charts as static images (``images``)."""
