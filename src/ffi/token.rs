//! `AuthRefreshTokenResponse`: a token handed to C.

use super::boundary::guard_void;
use crate::credentials::TokenData;
use crate::snapshot::View;
use std::alloc::{alloc, dealloc, Layout};
use std::ffi::c_char;
use std::mem::{align_of, size_of};
use std::ptr;

/// An access token with its expiry, type and granted scope.
///
/// Allocated by the library only; the caller frees it with
/// `auth_refresh_token_response_free`, which zeroes the token's memory. Its
/// strings stay valid until then. Each call hands out its own copy, so the
/// struct may be read from any thread and outlives the credentials handle.
#[repr(C)]
pub struct AuthRefreshTokenResponse {
    /// The access token; never NULL. Send it, never log it.
    pub access_token: *const c_char,
    /// When the token expires: Unix seconds, UTC, reckoned from when the
    /// request was sent.
    pub expires_at: i64,
    /// The token type as the server sent it, e.g. "Bearer"; never NULL.
    pub token_type: *const c_char,
    /// The granted scope; NULL when the server sent none.
    pub scope: *const c_char,
}

/// The public struct, the size of the block, then the strings.
///
/// One allocation per token handed out: on the cached path this is cheaper
/// than a shared reference count, whose cache line every core would fight
/// over (two threads made 1.0 times the calls of one with a shared count,
/// 1.97 times with this copy; see `snapshot`), and than one allocation per
/// string.
#[repr(C)]
struct Block {
    public: AuthRefreshTokenResponse,
    size: usize,
}

/// Copies `t` into one new block that C owns.
pub(crate) fn new_token(t: &TokenData) -> *mut AuthRefreshTokenResponse {
    let access_token = t.access_token().as_bytes();
    let token_type = t.token_type().as_bytes();
    let scope = t.scope().map(str::as_bytes);
    let strings = access_token.len() + token_type.len() + scope.map_or(0, |s| s.len() + 1) + 2;
    let size = size_of::<Block>() + strings;
    let layout = Layout::from_size_align(size, align_of::<Block>()).expect("token block layout");

    // SAFETY: `layout` is non-zero in size. Every byte written below lies
    // within the block: the strings take exactly `strings` bytes after the
    // header, each followed by its NUL.
    unsafe {
        let base = alloc(layout);
        if base.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        let mut cursor = base.add(size_of::<Block>());
        let mut put = |bytes: &[u8]| {
            let start = cursor;
            ptr::copy_nonoverlapping(bytes.as_ptr(), cursor, bytes.len());
            *cursor.add(bytes.len()) = 0;
            cursor = cursor.add(bytes.len() + 1);
            start as *const c_char
        };
        let access_token = put(access_token);
        let token_type = put(token_type);
        let scope = scope.map_or(ptr::null(), put);
        base.cast::<Block>().write(Block {
            public: AuthRefreshTokenResponse {
                access_token,
                expires_at: t.expires_at().timestamp(),
                token_type,
                scope,
            },
            size,
        });
        base.cast()
    }
}

/// Copies the image of a cached token (laid out as
/// `TokenData::IMAGE_STRINGS_WORD` describes) into one new block that C
/// owns: the cached path of
/// `auth_client_credentials_get_token`.
///
/// The image may be torn by a refresh while this runs; the caller then
/// discards the block with `discard_token` unread, so nothing here may trust
/// the offsets beyond computing pointers from them.
pub(crate) fn copy_token(image: &View<'_>) -> *mut AuthRefreshTokenResponse {
    let expires_at = image.word(0) as i64;
    let offsets = image.word(1);
    let strings = image.len() - TokenData::IMAGE_STRINGS_WORD * 8;
    // Whole words are copied, so the block ends on a word boundary.
    let size = size_of::<Block>() + strings.div_ceil(8) * 8;
    let layout = Layout::from_size_align(size, align_of::<Block>()).expect("token block layout");

    // SAFETY: `layout` is non-zero in size, and the strings' words fit in
    // the block after its header. The pointers are only computed here, with
    // wrapping arithmetic: a torn image never has them followed.
    unsafe {
        let base = alloc(layout);
        if base.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        let start = base.add(size_of::<Block>());
        image.copy_words_from(TokenData::IMAGE_STRINGS_WORD, start);
        let scope_at = (offsets >> 32) as u32;
        base.cast::<Block>().write(Block {
            public: AuthRefreshTokenResponse {
                access_token: start as *const c_char,
                expires_at,
                token_type: start.wrapping_add(offsets as u32 as usize) as *const c_char,
                scope: if scope_at == TokenData::NO_SCOPE {
                    ptr::null()
                } else {
                    start.wrapping_add(scope_at as usize) as *const c_char
                },
            },
            size,
        });
        base.cast()
    }
}

/// Releases a block `copy_token` made from a torn image.
pub(crate) fn discard_token(token: *mut AuthRefreshTokenResponse) {
    // SAFETY: `token` is a block just made by `copy_token`, seen by no one.
    unsafe { auth_refresh_token_response_free(token) }
}

/// Frees a token, zeroing its memory first. NULL is a no-op.
///
/// The token and its strings must not be used afterwards, nor freed twice.
/// Any thread may free it.
#[no_mangle]
pub unsafe extern "C" fn auth_refresh_token_response_free(token: *mut AuthRefreshTokenResponse) {
    guard_void(|| {
        if token.is_null() {
            return;
        }
        let base = token.cast::<u8>();
        let size = (*token.cast::<Block>()).size;
        zero(base, size);
        dealloc(
            base,
            Layout::from_size_align_unchecked(size, align_of::<Block>()),
        );
    })
}

/// Zeroes memory in a way the compiler may not remove as a dead store.
unsafe fn zero(p: *mut u8, len: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    libc::explicit_bzero(p.cast(), len);
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(p, len));
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::credentials::token_image;
    use crate::secret::SecretString;
    use crate::snapshot::Snapshot;
    use std::ffi::CStr;
    use std::time::Duration;

    fn token(scope: Option<&str>) -> TokenData {
        TokenData {
            access_token: SecretString::from("eyJhbGciOiJSUzI1NiJ9.payload.signature"),
            expires_at: chrono::DateTime::from_timestamp(1_700_003_600, 0).unwrap(),
            token_type: "Bearer".to_owned(),
            scope: scope.map(str::to_owned),
        }
    }

    /// The fields of a block, read as C would, and the block freed.
    fn fields(block: *mut AuthRefreshTokenResponse) -> (String, i64, String, Option<String>) {
        assert!(!block.is_null());
        // SAFETY: a live block made by this module; its strings are NUL-terminated.
        unsafe {
            let t = &*block;
            let text = |p: *const c_char| CStr::from_ptr(p).to_str().unwrap().to_owned();
            let got = (
                text(t.access_token),
                t.expires_at,
                text(t.token_type),
                (!t.scope.is_null()).then(|| text(t.scope)),
            );
            auth_refresh_token_response_free(block);
            got
        }
    }

    fn copied(t: &TokenData) -> (String, i64, String, Option<String>) {
        let snapshot = Snapshot::new();
        snapshot.publish(Duration::from_secs(60), &token_image(t));
        let block = snapshot
            .read(Duration::ZERO, copy_token, discard_token)
            .expect("a fresh image");
        fields(block)
    }

    #[test]
    fn copy_of_the_image_equals_a_copy_of_the_token() {
        let t = token(Some("api:read api:write"));
        assert_eq!(copied(&t), fields(new_token(&t)));
        assert_eq!(copied(&t).3.as_deref(), Some("api:read api:write"));
    }

    #[test]
    fn copy_of_an_image_without_scope_has_a_null_scope() {
        let t = token(None);
        assert_eq!(copied(&t), fields(new_token(&t)));
        assert_eq!(copied(&t).3, None);
    }
}
