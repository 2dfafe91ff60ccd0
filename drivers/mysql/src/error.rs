//! Turning client errors into one-line messages.

/// Server error codes meaning the session is gone: killed (1927), server shutdown (1053),
/// server has gone away (2006), lost connection during query (2013).
const LOST_CODES: &[u16] = &[1927, 1053, 2006, 2013];

/// Whether the error means the connection is unusable.
pub fn is_connection_lost(error: &mysql_async::Error) -> bool {
    match error {
        mysql_async::Error::Server(e) => LOST_CODES.contains(&e.code),
        other => other.is_fatal(),
    }
}

/// A one-line description of the error, without the client library's wrapping.
pub fn describe(error: &mysql_async::Error) -> String {
    let text = match error {
        mysql_async::Error::Server(e) => format!("{} (error {})", e.message, e.code),
        mysql_async::Error::Io(e) => e.to_string(),
        mysql_async::Error::Driver(e) => e.to_string(),
        mysql_async::Error::Url(e) => e.to_string(),
        mysql_async::Error::Other(e) => e.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The server's error number, when the server answered.
pub fn code(error: &mysql_async::Error) -> Option<String> {
    match error {
        mysql_async::Error::Server(e) => Some(e.code.to_string()),
        _ => None,
    }
}

/// The driver error for a failed call: [`mercator_driver::DriverError::ConnectionLost`]
/// when the connection is gone, otherwise what `make` builds from the message, the
/// server's error number and the library error.
pub(crate) fn driver_error(
    error: mysql_async::Error,
    make: impl FnOnce(
        String,
        Option<String>,
        Option<mercator_driver::SourceError>,
    ) -> mercator_driver::DriverError,
) -> mercator_driver::DriverError {
    let message = describe(&error);
    if is_connection_lost(&error) {
        return mercator_driver::DriverError::ConnectionLost {
            message,
            applied: Vec::new(),
            source: Some(mercator_driver::source(error)),
        };
    }
    let code = code(&error);
    make(message, code, Some(mercator_driver::source(error)))
}
