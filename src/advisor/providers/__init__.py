"""Training providers: the interface plugins implement, the job ledger, and launching and watching jobs."""
