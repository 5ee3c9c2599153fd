package io.scalarhub.platform.paging;

import java.util.List;

/** A page of a collection in the contract's shape: {@code {"content": [...], "page": {...}}}. */
public record PageResponse<T>(List<T> content, PageMetadata page) {

	public static <T> PageResponse<T> of(List<T> content, PageQuery query, long totalElements) {
		long totalPages = (totalElements + query.size() - 1) / query.size();
		return new PageResponse<>(content, new PageMetadata(query.size(), query.page(), totalElements, totalPages));
	}

	public record PageMetadata(int size, int number, long totalElements, long totalPages) {
	}

}
