//! Contains structures needed to describe network requests.

use thiserror::Error;

use crate::url_parser;
use crate::utils;

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum RequestMethod {
    Connect,
    Delete,
    Get,
    Head,
    Options,
    Patch,
    Post,
    Put,
    Other,
}

impl std::str::FromStr for RequestMethod {
    type Err = ();

    fn from_str(raw_method: &str) -> Result<Self, Self::Err> {
        match raw_method.to_ascii_lowercase().as_str() {
            "" => Err(()),
            "connect" => Ok(RequestMethod::Connect),
            "delete" => Ok(RequestMethod::Delete),
            "get" => Ok(RequestMethod::Get),
            "head" => Ok(RequestMethod::Head),
            "options" => Ok(RequestMethod::Options),
            "patch" => Ok(RequestMethod::Patch),
            "post" => Ok(RequestMethod::Post),
            "put" => Ok(RequestMethod::Put),
            _ => Ok(RequestMethod::Other),
        }
    }
}

/// The type of resource requested from the URL endpoint.
#[derive(Clone, PartialEq, Debug)]
pub enum RequestType {
    Beacon,
    Csp,
    Document,
    Dtd,
    Fetch,
    Font,
    Image,
    Media,
    Object,
    Other,
    Ping,
    Script,
    Stylesheet,
    Subdocument,
    Websocket,
    Xlst,
    Xmlhttprequest,
}

/// Possible failure reasons when creating a [`Request`].
#[derive(Debug, Error, PartialEq)]
pub enum RequestError {
    #[error("hostname parsing failed")]
    HostnameParseError,
    #[error("source hostname parsing failed")]
    SourceHostnameParseError,
    #[error("invalid Unicode provided")]
    UnicodeDecodingError,
}

fn cpt_match_type(cpt: &str) -> RequestType {
    match cpt {
        "beacon" => RequestType::Ping,
        "csp_report" => RequestType::Csp,
        "document" | "main_frame" => RequestType::Document,
        "font" => RequestType::Font,
        "image" | "imageset" => RequestType::Image,
        "media" => RequestType::Media,
        "object" | "object_subrequest" => RequestType::Object,
        "ping" => RequestType::Ping,
        "script" => RequestType::Script,
        "stylesheet" => RequestType::Stylesheet,
        "sub_frame" | "subdocument" => RequestType::Subdocument,
        "websocket" => RequestType::Websocket,
        "xhr" | "xmlhttprequest" => RequestType::Xmlhttprequest,
        _ => RequestType::Other,
    }
}

/// A network [`Request`], used as an interface for network blocking in the [`crate::Engine`].
#[derive(Clone, Debug)]
pub struct Request {
    pub request_type: RequestType,
    pub method: Option<RequestMethod>,

    pub is_http: bool,
    pub is_https: bool,
    pub is_supported: bool,
    pub is_third_party: bool,
    pub url: String,
    pub hostname: String,
    pub source_hostname_hashes: Option<Vec<utils::Hash>>,

    pub(crate) url_lower_cased: String,
    pub(crate) request_tokens: Vec<utils::Hash>,
    /// Crumbwall patch: the bits ([`utils::token_bit`]) of `request_tokens`, every bit when the
    /// URL had more tokens than were kept.
    pub(crate) token_mask: u64,
    pub(crate) original_url: String,
}

impl Request {
    pub(crate) fn get_url(&self, case_sensitive: bool) -> &str {
        if case_sensitive {
            &self.url
        } else {
            &self.url_lower_cased
        }
    }

    pub(crate) fn get_source_hostname_hashes_for_match(
        &self,
    ) -> impl Iterator<Item = &utils::Hash> {
        self.source_hostname_hashes.as_ref().into_iter().flatten()
    }

    pub fn get_tokens_for_match(&self) -> impl Iterator<Item = &utils::Hash> {
        self.get_tokens().iter()
    }

    pub fn get_tokens(&self) -> &Vec<utils::Hash> {
        &self.request_tokens
    }

    #[allow(clippy::too_many_arguments)]
    fn from_detailed_parameters(
        raw_type: &str,
        url: &str,
        schema: &str,
        hostname: &str,
        source_hostname: &str,
        third_party: bool,
        original_url: String,
        method: Option<RequestMethod>,
    ) -> Request {
        let is_http: bool;
        let is_https: bool;
        let is_supported: bool;
        let request_type: RequestType;

        if schema.is_empty() {
            // no ':' was found
            is_https = true;
            is_http = false;
            is_supported = true;
            request_type = cpt_match_type(raw_type);
        } else {
            is_http = schema == "http";
            is_https = !is_http && schema == "https";

            let is_websocket = !is_http && !is_https && (schema == "ws" || schema == "wss");
            is_supported = is_http || is_https || is_websocket;
            if is_websocket {
                request_type = RequestType::Websocket;
            } else {
                request_type = cpt_match_type(raw_type);
            }
        }

        let source_hostname_hashes = if !source_hostname.is_empty() {
            let mut hashes = Vec::with_capacity(4);
            hashes.push(utils::fast_hash(source_hostname));
            for (i, c) in source_hostname.char_indices() {
                if c == '.' && i + 1 < source_hostname.len() {
                    hashes.push(utils::fast_hash(&source_hostname[i + 1..]));
                }
            }
            Some(hashes)
        } else {
            None
        };

        let url_lower_cased = url.to_ascii_lowercase();
        let (request_tokens, token_mask) = calculate_tokens(&url_lower_cased, hostname);

        Request {
            request_type,
            method,
            url: url.to_owned(),
            url_lower_cased,
            hostname: hostname.to_owned(),
            request_tokens,
            token_mask,
            source_hostname_hashes,
            is_third_party: third_party,
            is_http,
            is_https,
            is_supported,
            original_url,
        }
    }

    /// Construct a new [`Request`].
    pub fn new(
        url: &str,
        source_url: &str,
        request_type: &str,
        method: &str,
    ) -> Result<Request, RequestError> {
        let parsed_url = url_parser::parse_url(url).ok_or(RequestError::HostnameParseError)?;
        let parsed_method = method.parse::<RequestMethod>().ok();

        let parsed_source = url_parser::parse_url(source_url);
        let (source_domain, third_party) = match &parsed_source {
            Some(parsed_source) => (
                parsed_source.hostname(),
                parsed_source.domain() != parsed_url.domain(),
            ),
            None => ("", true),
        };

        Ok(Request::from_detailed_parameters(
            request_type,
            &parsed_url.url,
            parsed_url.schema(),
            parsed_url.hostname(),
            source_domain,
            third_party,
            url.to_string(),
            parsed_method,
        ))
    }

    /// If you're building a [`Request`] in a context that already has access to parsed
    /// representations of the input URLs, you can use this constructor to avoid extra lookups from
    /// the public suffix list. Take care to pass data correctly.
    pub fn preparsed(
        url: &str,
        hostname: &str,
        source_hostname: &str,
        request_type: &str,
        third_party: bool,
        method: &str,
    ) -> Request {
        let splitter = memchr::memchr(b':', url.as_bytes()).unwrap_or(0);
        let schema: &str = &url[..splitter];

        Request::from_detailed_parameters(
            request_type,
            url,
            schema,
            hostname,
            source_hostname,
            third_party,
            // Crumbwall patch: not a second copy of `url` per request (see `apply_removeparam`).
            String::new(),
            method.parse::<RequestMethod>().ok(),
        )
    }
}

fn calculate_tokens(url_lower_cased: &str, hostname: &str) -> (Vec<utils::Hash>, u64) {
    let mut tokens = utils::TokensBuffer::default();
    utils::tokenize_pooled(url_lower_cased, &mut tokens);
    // Crumbwall patch: the token mask. The tokenizer keeps one slot free for the zero token;
    // when it filled the rest, later tokens were dropped, and no filter may be skipped.
    let mask = if tokens.len() + 1 >= tokens.capacity() {
        u64::MAX
    } else {
        tokens.iter().fold(0, |m, &t| m | utils::token_bit(t))
    };
    let mut all = Vec::with_capacity(tokens.len() + 6);
    push_host_keys(hostname, &mut all);
    all.extend_from_slice(&tokens);
    // Add zero token as a fallback to wildcard rule bucket
    all.push(0);
    (all, mask)
}

/// Crumbwall patch: the keys of whole-host filters that can match this host (see
/// `NetworkFilter::crumbwall_host_key`): the host and each parent domain, a trailing dot
/// dropped. They come before the URL's tokens, so a request that a whole-host filter blocks
/// stops at once. A last label that is a URL token already (`com`) is not added again: its
/// bucket would be searched twice.
fn push_host_keys(hostname: &str, keys: &mut Vec<utils::Hash>) {
    let host = hostname.strip_suffix('.').unwrap_or(hostname);
    let mut start = 0;
    while start < host.len() {
        let suffix = &host[start..];
        let next = suffix.find('.');
        let is_url_token = next.is_none()
            && suffix.len() > 1
            && suffix.bytes().all(|b| b.is_ascii_alphanumeric());
        if !is_url_token {
            keys.push(utils::fast_hash(suffix));
        }
        match next {
            Some(i) => start += i + 1,
            None => break,
        }
    }
}

#[cfg(test)]
#[path = "../tests/unit/request.rs"]
mod unit_tests;
