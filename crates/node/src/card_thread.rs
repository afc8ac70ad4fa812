//! Card operations on threads of their own.
//!
//! A card command can block for as long as the reader or its driver wants:
//! a mute card behind vpcd never answers at all. On the libuv thread pool
//! such a call would take a pool thread for good, four of them would stall
//! every `fs` call of the process, and Node would wait for them at exit.
//! Each card operation therefore runs on a detached thread of its own and
//! settles a promise; the TypeScript layer puts a timeout on the promise, so
//! a stuck operation costs its caller a `TIMEOUT` and one idle thread.

use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::Env;

use crate::errors::guard;

type Resolver<R> = Box<dyn FnOnce(Env) -> napi::Result<R> + Send>;

/// Runs `work` on a new thread and returns a promise that settles with
/// `convert` of its output (on the JavaScript thread) or with its error.
pub(crate) fn spawn_card_operation<'env, T, R>(
    env: &'env Env,
    name: &str,
    work: impl FnOnce() -> napi::Result<T> + Send + 'static,
    convert: impl FnOnce(T) -> napi::Result<R> + Send + 'static,
) -> napi::Result<Object<'env>>
where
    T: Send + 'static,
    R: ToNapiValue + 'static,
{
    let (deferred, promise) = env.create_deferred::<R, Resolver<R>>()?;
    std::thread::Builder::new()
        .name(format!("neweid {name}"))
        .spawn(move || match guard(work) {
            Ok(output) => deferred.resolve(Box::new(move |_env| convert(output))),
            Err(error) => deferred.reject(error),
        })
        .map_err(|error| napi::Error::from_reason(format!("cannot start a card thread: {error}")))?;
    Ok(promise)
}
