"""Reading bank statements ("mutasi rekening") exported from Indonesian internet banking:
files to rows (`reading`), bank formats and column mappings (`presets`), amounts and dates as
each bank writes them (`numbers`), stable line fingerprints (`fingerprints`) and matching
credit lines to the shop's expected payments (`matching`). Writing to the database is the job
of `openpo.payments.services.statements`.
"""
