package io.scalarhub.account.domain;

public enum AccountStatus {

	OPEN, FROZEN, CLOSED

}
