package io.scalarhub.transaction.domain;

/** What a transaction does, and so which accounts it needs. */
public enum TransactionType {

	/** Money enters the ledger into a destination account. */
	DEPOSIT(false, true),
	/** Money leaves the ledger from a source account. */
	WITHDRAWAL(true, false),
	/** Money moves from a source account to a different destination account. */
	TRANSFER(true, true);

	private final boolean needsSource;

	private final boolean needsDestination;

	TransactionType(boolean needsSource, boolean needsDestination) {
		this.needsSource = needsSource;
		this.needsDestination = needsDestination;
	}

	public boolean needsSource() {
		return this.needsSource;
	}

	public boolean needsDestination() {
		return this.needsDestination;
	}

}
