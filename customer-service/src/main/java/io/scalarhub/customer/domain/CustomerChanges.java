package io.scalarhub.customer.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a JSON merge patch (RFC 7396) asks to change. An absent field is left alone; {@code phone} set to
 * null removes it; {@code metadata} merges key by key (a null value removes that key), and metadata set to
 * null as a whole removes every key.
 *
 * @param name the new name, if changed
 * @param phone the new phone if changed: empty inside means removed
 * @param metadataMerge the keys to set or, mapped to null, remove
 * @param metadataCleared whether all metadata is removed before merging
 */
public record CustomerChanges(Optional<String> name, Optional<Optional<String>> phone,
		Optional<Map<String, String>> metadataMerge, boolean metadataCleared) {

	public boolean isEmpty() {
		return this.name.isEmpty() && this.phone.isEmpty() && this.metadataMerge.isEmpty() && !this.metadataCleared;
	}

	public Customer applyTo(Customer customer, java.time.Instant now) {
		return new Customer(customer.id(), this.name.orElse(customer.name()), customer.email(),
				this.phone.isPresent() ? this.phone.get().orElse(null) : customer.phone(), mergedMetadata(customer.metadata()),
				customer.status(), customer.version() + 1, customer.createdAt(), now);
	}

	private Map<String, String> mergedMetadata(Map<String, String> current) {
		Map<String, String> merged = new HashMap<>(this.metadataCleared ? Map.of() : current);
		this.metadataMerge.ifPresent((merge) -> merge.forEach((key, value) -> {
			if (value == null) {
				merged.remove(key);
			}
			else {
				merged.put(key, value);
			}
		}));
		return merged;
	}

}
