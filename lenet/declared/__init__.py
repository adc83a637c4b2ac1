"""Subjects a project declares: any PyTorch model and dataset (``[tool.lenet.subjects.NAME]``).

``declaration`` reads and checks a declaration, ``graph`` names a model's values (module outputs
and torch.fx nodes), ``measure`` reads and edits them in batches, ``concepts`` names image sets,
``subject`` puts it together as a ``lenet.subject.subject.Subject``. docs/subjects.md is the guide.
"""
