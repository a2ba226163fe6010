"""Decision papers: a neutral model (``model``), built from a meeting agenda (``build``, which puts
together each agenda item's view from ``views`` and the steering record from ``records``) and
rendered to PDF (``to_pdf``) and PowerPoint (``to_pptx``); charts become PNG through kaleido
(``images``), maps are drawn for print without tiles (``print_map``)."""
