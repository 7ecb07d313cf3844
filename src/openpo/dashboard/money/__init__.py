"""Money in and out: the payment verification queue, bank statement import and review, refunds and
cash flow."""
