namespace tandem::daemon {}
