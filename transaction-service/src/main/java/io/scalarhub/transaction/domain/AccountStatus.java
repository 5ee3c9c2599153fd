package io.scalarhub.transaction.domain;

/** An account's status as the ledger enforces it: money moves only in and out of OPEN accounts. */
public enum AccountStatus {

	OPEN, FROZEN, CLOSED

}
