package io.scalarhub.subscription.billing;

public enum BillingRunStatus {

	PENDING, RUNNING, COMPLETED, FAILED

}
