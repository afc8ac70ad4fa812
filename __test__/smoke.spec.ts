import test from 'ava'

import { nativeVersion } from '../ts/index.js'

test('native addon loads', (t) => {
  t.regex(nativeVersion(), /^\d+\.\d+\.\d+$/)
})
