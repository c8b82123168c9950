namespace tandem::vrrp {}
