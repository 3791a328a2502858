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
        // Crumbwall patch: compared without a lowercase copy (one allocation less per request).
        const METHODS: [(&str, RequestMethod); 8] = [
            ("get", RequestMethod::Get),
            ("post", RequestMethod::Post),
            ("head", RequestMethod::Head),
            ("options", RequestMethod::Options),
            ("put", RequestMethod::Put),
            ("delete", RequestMethod::Delete),
            ("patch", RequestMethod::Patch),
            ("connect", RequestMethod::Connect),
        ];
        if raw_method.is_empty() {
            return Err(());
        }
        Ok(METHODS
            .iter()
            .find(|(name, _)| raw_method.eq_ignore_ascii_case(name))
            .map_or(RequestMethod::Other, |&(_, m)| m))
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
    /// Crumbwall patch: the source hostname `source_hostname_hashes` were computed from ("" when
    /// none), so a refill for the same document keeps them.
    pub(crate) hashed_source_hostname: String,
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
        let mut request = Request::empty();
        request.fill(
            raw_type,
            url,
            schema,
            hostname,
            source_hostname,
            third_party,
            original_url,
            method,
        );
        request
    }

    /// Crumbwall patch: a request with every field empty, for [`Request::fill`] to fill.
    fn empty() -> Request {
        Request {
            request_type: RequestType::Other,
            method: None,
            is_http: false,
            is_https: false,
            is_supported: false,
            is_third_party: false,
            url: String::new(),
            hostname: String::new(),
            source_hostname_hashes: None,
            url_lower_cased: String::new(),
            request_tokens: Vec::new(),
            token_mask: 0,
            original_url: String::new(),
            hashed_source_hostname: String::new(),
        }
    }

    /// Crumbwall patch: [`Request::from_detailed_parameters`] into `self`, whose strings and
    /// vectors keep their allocations (a caller deciding request after request reuses one
    /// `Request`; see [`Request::refill_preparsed`]). Every field is set.
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        raw_type: &str,
        url: &str,
        schema: &str,
        hostname: &str,
        source_hostname: &str,
        third_party: bool,
        original_url: String,
        method: Option<RequestMethod>,
    ) {
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

        if source_hostname.is_empty() {
            self.source_hostname_hashes = None;
            self.hashed_source_hostname.clear();
        } else if self.source_hostname_hashes.is_none()
            || self.hashed_source_hostname != source_hostname
        {
            // (Otherwise the same document as the request refilled: the same hashes.)
            self.hashed_source_hostname.clear();
            self.hashed_source_hostname.push_str(source_hostname);
            let hashes = self.source_hostname_hashes.get_or_insert_with(|| Vec::with_capacity(4));
            hashes.clear();
            hashes.push(utils::fast_hash(source_hostname));
            for (i, c) in source_hostname.char_indices() {
                if c == '.' && i + 1 < source_hostname.len() {
                    hashes.push(utils::fast_hash(&source_hostname[i + 1..]));
                }
            }
        }

        self.url_lower_cased.clear();
        self.url_lower_cased.push_str(url);
        self.url_lower_cased.make_ascii_lowercase();
        self.token_mask = calculate_tokens(&self.url_lower_cased, hostname, &mut self.request_tokens);

        self.request_type = request_type;
        self.method = method;
        self.url.clear();
        self.url.push_str(url);
        self.hostname.clear();
        self.hostname.push_str(hostname);
        self.is_third_party = third_party;
        self.is_http = is_http;
        self.is_https = is_https;
        self.is_supported = is_supported;
        self.original_url = original_url;
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
        // Crumbwall patch: one way to fill a preparsed request, fresh or reused.
        let mut request = Request::empty();
        request.refill_preparsed(url, hostname, source_hostname, request_type, third_party, method);
        request
    }

    /// Crumbwall patch: [`Request::preparsed`] into this `Request`, reusing its allocations (the
    /// URL, its lowercase copy, the host name and the token vectors): the same request as
    /// `preparsed` makes, without five allocations per decision.
    pub fn refill_preparsed(
        &mut self,
        url: &str,
        hostname: &str,
        source_hostname: &str,
        request_type: &str,
        third_party: bool,
        method: &str,
    ) {
        let splitter = memchr::memchr(b':', url.as_bytes()).unwrap_or(0);
        let schema: &str = &url[..splitter];
        self.fill(
            request_type,
            url,
            schema,
            hostname,
            source_hostname,
            third_party,
            // Crumbwall patch: not a second copy of `url` per request (see `apply_removeparam`).
            String::new(),
            method.parse::<RequestMethod>().ok(),
        );
    }
}

/// The request's tokens into `all` (cleared first; host keys, URL tokens, the zero token), and
/// their mask.
fn calculate_tokens(url_lower_cased: &str, hostname: &str, all: &mut Vec<utils::Hash>) -> u64 {
    let mut tokens = utils::TokensBuffer::default();
    utils::tokenize_pooled(url_lower_cased, &mut tokens);
    // Crumbwall patch: the token mask. The tokenizer keeps one slot free for the zero token;
    // when it filled the rest, later tokens were dropped, and no filter may be skipped.
    let mask = if tokens.len() + 1 >= tokens.capacity() {
        u64::MAX
    } else {
        tokens.iter().fold(0, |m, &t| m | utils::token_bit(t))
    };
    all.clear();
    all.reserve(tokens.len() + 6);
    push_host_keys(hostname, all);
    all.extend_from_slice(&tokens);
    // Add zero token as a fallback to wildcard rule bucket
    all.push(0);
    mask
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
