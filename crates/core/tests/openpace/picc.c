/*
 * The chip (PICC) side of PACE, run by OpenPACE (libeac), for the interop
 * test in ../openpace_interop.rs. The test starts this program with an
 * EF.CardAccess in hex and a CAN, then writes one request per line and
 * reads one reply line for each:
 *
 *   nonce                 -> z, the encrypted nonce
 *   map <PK_map_PCD>      -> PK_map_PICC
 *   key <ePK_PCD>         -> ePK_PICC (K, K_enc and K_mac are now derived)
 *   token <T_PCD>         -> "ok <T_PICC>", or "bad" if T_PCD does not verify
 *   enc <ssc> <data>      -> AES-CBC of pad(data) with the session keys
 *   dec <ssc> <data>      -> unpadded AES-CBC decryption of data
 *   mac <ssc> <data>      -> CMAC of SSC || pad(data), 8 bytes
 *
 * Every value is hex. A failed step replies "error <step>".
 */
#include <eac/eac.h>
#include <eac/pace.h>
#include <openssl/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static BUF_MEM *from_hex(const char *hex)
{
    size_t len = strlen(hex) / 2;
    BUF_MEM *out = BUF_MEM_new();
    if (!out || !BUF_MEM_grow(out, len ? len : 1))
        return NULL;
    out->length = len;
    for (size_t i = 0; i < len; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            BUF_MEM_free(out);
            return NULL;
        }
        out->data[i] = (char) byte;
    }
    return out;
}

static void print_hex(const char *prefix, const BUF_MEM *buffer)
{
    printf("%s", prefix);
    for (size_t i = 0; i < buffer->length; i++)
        printf("%02X", (unsigned char) buffer->data[i]);
    printf("\n");
    fflush(stdout);
}

static void fail(const char *step)
{
    printf("error %s\n", step);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <EF.CardAccess hex> <CAN>\n", argv[0]);
        return 2;
    }

    EAC_init();
    EAC_CTX *ctx = EAC_CTX_new();
    BUF_MEM *card_access = from_hex(argv[1]);
    PACE_SEC *secret = PACE_SEC_new(argv[2], strlen(argv[2]), PACE_CAN);
    if (!ctx || !card_access || !secret
            || !EAC_CTX_init_ef_cardaccess((unsigned char *) card_access->data, card_access->length, ctx)) {
        fprintf(stderr, "cannot set up the OpenPACE context\n");
        return 1;
    }

    BUF_MEM *terminal_key = NULL;
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *verb = strtok(line, " ");
        char *first = strtok(NULL, " ");
        char *second = strtok(NULL, " ");
        if (!verb)
            continue;

        if (strcmp(verb, "nonce") == 0) {
            BUF_MEM *nonce = PACE_STEP1_enc_nonce(ctx, secret);
            nonce ? print_hex("", nonce) : fail("nonce");
            BUF_MEM_clear_free(nonce);
        } else if (strcmp(verb, "map") == 0 && first) {
            BUF_MEM *peer = from_hex(first);
            BUF_MEM *own = PACE_STEP3A_generate_mapping_data(ctx);
            if (peer && own && PACE_STEP3A_map_generator(ctx, peer))
                print_hex("", own);
            else
                fail("map");
            BUF_MEM_free(peer);
            BUF_MEM_free(own);
        } else if (strcmp(verb, "key") == 0 && first) {
            BUF_MEM_free(terminal_key);
            terminal_key = from_hex(first);
            BUF_MEM *own = PACE_STEP3B_generate_ephemeral_key(ctx);
            if (terminal_key && own && PACE_STEP3B_compute_shared_secret(ctx, terminal_key)
                    && PACE_STEP3C_derive_keys(ctx))
                print_hex("", own);
            else
                fail("key");
            BUF_MEM_free(own);
        } else if (strcmp(verb, "token") == 0 && first && terminal_key) {
            BUF_MEM *token = from_hex(first);
            if (token && PACE_STEP3D_verify_authentication_token(ctx, token) == 1) {
                BUF_MEM *own = PACE_STEP3D_compute_authentication_token(ctx, terminal_key);
                if (own && EAC_CTX_set_encryption_ctx(ctx, EAC_ID_PACE))
                    print_hex("ok ", own);
                else
                    fail("token");
                BUF_MEM_free(own);
            } else {
                printf("bad\n");
                fflush(stdout);
            }
            BUF_MEM_free(token);
        } else if ((strcmp(verb, "enc") == 0 || strcmp(verb, "dec") == 0 || strcmp(verb, "mac") == 0)
                && first && second) {
            BUF_MEM *data = from_hex(second);
            BUF_MEM *padded = NULL, *result = NULL, *plain = NULL;
            if (data && EAC_set_ssc(ctx, strtoul(first, NULL, 10))) {
                if (strcmp(verb, "enc") == 0) {
                    padded = EAC_add_iso_pad(ctx, data);
                    result = padded ? EAC_encrypt(ctx, padded) : NULL;
                } else if (strcmp(verb, "dec") == 0) {
                    plain = EAC_decrypt(ctx, data);
                    result = plain ? EAC_remove_iso_pad(plain) : NULL;
                } else {
                    padded = EAC_add_iso_pad(ctx, data);
                    result = padded ? EAC_authenticate(ctx, padded) : NULL;
                }
            }
            result ? print_hex("", result) : fail(verb);
            BUF_MEM_free(data);
            BUF_MEM_clear_free(padded);
            BUF_MEM_clear_free(plain);
            BUF_MEM_clear_free(result);
        } else {
            fail("request");
        }
    }

    BUF_MEM_free(terminal_key);
    BUF_MEM_free(card_access);
    PACE_SEC_clear_free(secret);
    EAC_CTX_clear_free(ctx);
    EAC_cleanup();
    return 0;
}
