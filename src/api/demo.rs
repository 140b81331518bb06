//! The demo order-status webhook (`GET /demo/orders/{number}`) that the demo `order_status`
//! tool of the bundled configuration calls: a fixed table of fictional orders in code, one per
//! state a caller may ask about. Owns nothing else; no store, no I/O.

use axum::Json;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use serde::Serialize;

use super::error::ApiError;

/// One fictional order, as the webhook answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemoOrder {
    /// The order number (digits).
    pub order: &'static str,
    /// `processing`, `shipped`, `out for delivery`, `delivered`, `cancelled` or
    /// `refund issued`.
    pub status: &'static str,
    /// Who carries the parcel (`null` before it ships or when it never will).
    pub carrier: Option<&'static str>,
    /// The expected delivery date, or the delivery date once delivered (`null` when none).
    pub expected_delivery: Option<&'static str>,
    /// One sentence a person would add.
    pub note: &'static str,
}

const fn order(
    order: &'static str,
    status: &'static str,
    carrier: Option<&'static str>,
    expected_delivery: Option<&'static str>,
    note: &'static str,
) -> DemoOrder {
    DemoOrder {
        order,
        status,
        carrier,
        expected_delivery,
        note,
    }
}

/// The demo table: every order number here is fictional (six digits, as the demo knowledge
/// base says; 104233 is its example).
pub const DEMO_ORDERS: [DemoOrder; 12] = [
    order(
        "104233",
        "shipped",
        Some("Royal Mail"),
        Some("2026-12-04"),
        "Left our warehouse on 2026-11-30; the tracking link was emailed.",
    ),
    order(
        "104234",
        "processing",
        None,
        Some("2026-12-08"),
        "Being packed; it ships within two working days.",
    ),
    order(
        "104235",
        "out for delivery",
        Some("Royal Mail"),
        Some("2026-12-01"),
        "On the van today, usually before 6 pm.",
    ),
    order(
        "104236",
        "delivered",
        Some("Royal Mail"),
        Some("2026-11-27"),
        "Signed for at the front door.",
    ),
    order(
        "104237",
        "cancelled",
        None,
        None,
        "Cancelled by the customer before packing; nothing was charged.",
    ),
    order(
        "104238",
        "refund issued",
        Some("Royal Mail"),
        None,
        "The returned item arrived; the refund was issued on 2026-11-25.",
    ),
    order(
        "104239",
        "shipped",
        Some("DHL"),
        Some("2026-12-07"),
        "On its way to Germany; EU delivery takes 5 to 8 working days.",
    ),
    order(
        "104240",
        "processing",
        None,
        Some("2026-12-10"),
        "Waiting for one item to come back in stock.",
    ),
    order(
        "205511",
        "delivered",
        Some("HomeHaul"),
        Some("2026-11-20"),
        "The sofa was delivered and assembled in the agreed slot.",
    ),
    order(
        "205512",
        "out for delivery",
        Some("HomeHaul"),
        Some("2026-12-01"),
        "The two-person team arrives in the booked slot, 8 am to 12 noon.",
    ),
    order(
        "205513",
        "cancelled",
        None,
        None,
        "Cancelled because the payment was declined.",
    ),
    order(
        "205514",
        "refund issued",
        None,
        None,
        "Cancelled after payment; the refund was issued on 2026-11-28.",
    ),
];

/// The demo order with this number (surrounding spaces and a leading `#` ignored).
pub fn find_order(number: &str) -> Option<&'static DemoOrder> {
    let number = number.trim().trim_start_matches('#');
    DEMO_ORDERS.iter().find(|o| o.order == number)
}

/// `GET /demo/orders/{number}`.
pub(super) async fn get_order(
    number: Result<Path<String>, PathRejection>,
) -> Result<Json<DemoOrder>, ApiError> {
    let Path(number) = number.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let found = find_order(&number);
    tracing::debug!(found = found.is_some(), "demo order looked up");
    found
        .copied()
        .map(Json)
        .ok_or(ApiError::NotFound("no such order"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_in_the_table_and_numbers_are_unique() {
        for state in [
            "processing",
            "shipped",
            "out for delivery",
            "delivered",
            "cancelled",
            "refund issued",
        ] {
            assert!(DEMO_ORDERS.iter().any(|o| o.status == state), "{state}");
        }
        let mut numbers: Vec<_> = DEMO_ORDERS.iter().map(|o| o.order).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), DEMO_ORDERS.len());
    }

    #[test]
    fn lookup_ignores_spaces_and_hash() {
        assert_eq!(find_order(" #104233 ").map(|o| o.status), Some("shipped"));
        assert!(find_order("999999").is_none());
        assert!(find_order("").is_none());
    }
}
