"""Payment gateways (off by default): today Midtrans. `midtrans` speaks Midtrans' protocol
(signatures, notification payloads, the Snap API); `notifications` turns what Midtrans says
into payments through the payments services."""
