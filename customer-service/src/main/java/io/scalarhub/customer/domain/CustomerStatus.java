package io.scalarhub.customer.domain;

public enum CustomerStatus {

	ACTIVE, CLOSED

}
