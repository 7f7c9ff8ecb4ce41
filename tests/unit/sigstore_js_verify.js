// A second Sigstore verifier for tests/unit/test_sigstore_differential.c: @sigstore/verify (npm,
// installed by packaging/install-deps.sh under $OCIGATE_NPM_PREFIX) over one conformance case, offline,
// with the case's trusted root.  Exit 0 verified, 1 refused (the reason on stderr), 2 usage or setup.
//
//   node sigstore_js_verify.js BUNDLE TRUSTED_ROOT ARTIFACT (--key KEY.pem | IDENTITY ISSUER)
'use strict';
const fs = require('fs');
const crypto = require('crypto');

let verify, bundle, specs;
try {
	verify = require('@sigstore/verify');
	bundle = require('@sigstore/bundle');
	specs = require('@sigstore/protobuf-specs');
} catch (err) {
	process.stderr.write(`sigstore_js_verify: cannot load @sigstore/verify (NODE_PATH): ${err.message}\n`);
	process.exit(2);
}

const a = process.argv.slice(2);
if (a.length !== 5) {
	process.stderr.write('usage: sigstore_js_verify.js BUNDLE TRUSTED_ROOT ARTIFACT (--key KEY.pem | IDENTITY ISSUER)\n');
	process.exit(2);
}
const [bundlePath, rootPath, artifactPath] = a;
try {
	const b = bundle.bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
	const root = specs.TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
	let keys;
	let policy;
	if (a[3] === '--key') {
		const pub = crypto.createPublicKey(fs.readFileSync(a[4]));
		keys = () => ({ publicKey: pub, validFor: () => true });
	} else {
		policy = { subjectAlternativeName: a[3], extensions: { issuer: a[4] } };
	}
	const verifier = new verify.Verifier(verify.toTrustMaterial(root, keys), { tlogThreshold: 1, ctlogThreshold: 1 });
	verifier.verify(verify.toSignedEntity(b, fs.readFileSync(artifactPath)), policy);
} catch (err) {
	process.stderr.write(`refused: ${err.code || ''} ${err.message}\n`);
	process.exit(1);
}
process.exit(0);
