/*
 * Generated from the platform's /api/v1/openapi.json by `npm run api:generate -w @parley/web`.
 * Do not edit: change the services' route schemas and regenerate (CI runs api:check).
 */

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that sign access tokens */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in by username or email */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        login: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            expiresIn: number;
                            refreshToken: string;
                            sessionId: string;
                            user: {
                                avatarUrl: string | null;
                                bio: string;
                                createdAt: string;
                                displayName: string;
                                email: string;
                                id: string;
                                lastLoginAt: string | null;
                                /** @description When the user was last active or connected (null when never, or when invisible). */
                                lastSeenAt: string | null;
                                locale: string;
                                /**
                                 * @description The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.
                                 * @enum {string}
                                 */
                                status: "online" | "away" | "dnd" | "invisible" | "offline";
                                statusText: string | null;
                                username: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End this session */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the refresh token for a new pair */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        refreshToken: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            expiresIn: number;
                            refreshToken: string;
                            sessionId: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account and sign in */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        displayName?: string;
                        email: string;
                        password: string;
                        username: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            expiresIn: number;
                            refreshToken: string;
                            sessionId: string;
                            user: {
                                avatarUrl: string | null;
                                bio: string;
                                createdAt: string;
                                displayName: string;
                                email: string;
                                id: string;
                                lastLoginAt: string | null;
                                /** @description When the user was last active or connected (null when never, or when invisible). */
                                lastSeenAt: string | null;
                                locale: string;
                                /**
                                 * @description The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.
                                 * @enum {string}
                                 */
                                status: "online" | "away" | "dnd" | "invisible" | "offline";
                                statusText: string | null;
                                username: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's live sessions */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                createdAt: string;
                                current: boolean;
                                device: string;
                                expiresAt: string;
                                id: string;
                                ip: string;
                                lastUsedAt: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one of your sessions */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your contacts */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                avatarUrl: string | null;
                                bio: string;
                                displayName: string;
                                id: string;
                                /** @description When the user was last active or connected (null when never, or when invisible). */
                                lastSeenAt: string | null;
                                /**
                                 * @description What other users see: the status the user chose (online, away, dnd) while they have a socket open, offline when they have none or are invisible. The same as GET /api/v1/presence and the `presence` frames (it follows them within moments); never `invisible` here. While presence is paused (Redis unavailable), the last known value.
                                 * @enum {string}
                                 */
                                status: "online" | "away" | "dnd" | "invisible" | "offline";
                                statusText: string | null;
                                username: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/contacts/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add a contact (idempotent) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            avatarUrl: string | null;
                            bio: string;
                            displayName: string;
                            id: string;
                            /** @description When the user was last active or connected (null when never, or when invisible). */
                            lastSeenAt: string | null;
                            /**
                             * @description What other users see: the status the user chose (online, away, dnd) while they have a socket open, offline when they have none or are invisible. The same as GET /api/v1/presence and the `presence` frames (it follows them within moments); never `invisible` here. While presence is paused (Redis unavailable), the last known value.
                             * @enum {string}
                             */
                            status: "online" | "away" | "dnd" | "invisible" | "offline";
                            statusText: string | null;
                            username: string;
                        };
                    };
                };
            };
        };
        post?: never;
        /** Remove a contact */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your chats, newest activity first, with last message and unread count */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                createdAt: string;
                                id: string;
                                lastMessage: {
                                    attachments: {
                                        contentType: string;
                                        id: string;
                                        name: string;
                                        size: number;
                                        thumbnailUrl?: string | null;
                                        url: string;
                                    }[];
                                    body: string;
                                    clientMessageId: string;
                                    conversationId: string;
                                    createdAt: string;
                                    deletedAt: string | null;
                                    editedAt: string | null;
                                    id: string;
                                    reactions: {
                                        count: number;
                                        emoji: string;
                                        me?: boolean;
                                    }[];
                                    replyToId: string | null;
                                    senderId: string;
                                    seq: number;
                                } | null;
                                lastMessageAt: string | null;
                                lastReadSeq: number;
                                lastSeq: number;
                                otherUserId: string | null;
                                title: string | null;
                                /** @enum {string} */
                                type: "direct" | "group";
                                unreadCount: number;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of your chats */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            lastMessage: {
                                attachments: {
                                    contentType: string;
                                    id: string;
                                    name: string;
                                    size: number;
                                    thumbnailUrl?: string | null;
                                    url: string;
                                }[];
                                body: string;
                                clientMessageId: string;
                                conversationId: string;
                                createdAt: string;
                                deletedAt: string | null;
                                editedAt: string | null;
                                id: string;
                                reactions: {
                                    count: number;
                                    emoji: string;
                                    me?: boolean;
                                }[];
                                replyToId: string | null;
                                senderId: string;
                                seq: number;
                            } | null;
                            lastMessageAt: string | null;
                            lastReadSeq: number;
                            lastSeq: number;
                            otherUserId: string | null;
                            title: string | null;
                            /** @enum {string} */
                            type: "direct" | "group";
                            unreadCount: number;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** History: ?before=<seq> newest first, ?after=<seq> oldest first, neither the newest page; nextCursor is the next before/after */
        get: {
            parameters: {
                query?: {
                    after?: number;
                    before?: number;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                attachments: {
                                    contentType: string;
                                    id: string;
                                    name: string;
                                    size: number;
                                    thumbnailUrl?: string | null;
                                    url: string;
                                }[];
                                body: string;
                                clientMessageId: string;
                                conversationId: string;
                                createdAt: string;
                                deletedAt: string | null;
                                editedAt: string | null;
                                id: string;
                                reactions: {
                                    count: number;
                                    emoji: string;
                                    me?: boolean;
                                }[];
                                replyToId: string | null;
                                senderId: string;
                                seq: number;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Send a message (201); the same clientMessageId again answers the first message (200) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attachmentIds?: string[];
                        body: string;
                        clientMessageId: string;
                        /** Format: uuid */
                        replyToId?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attachments: {
                                contentType: string;
                                id: string;
                                name: string;
                                size: number;
                                thumbnailUrl?: string | null;
                                url: string;
                            }[];
                            body: string;
                            clientMessageId: string;
                            conversationId: string;
                            createdAt: string;
                            deletedAt: string | null;
                            editedAt: string | null;
                            id: string;
                            reactions: {
                                count: number;
                                emoji: string;
                                me?: boolean;
                            }[];
                            replyToId: string | null;
                            senderId: string;
                            seq: number;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attachments: {
                                contentType: string;
                                id: string;
                                name: string;
                                size: number;
                                thumbnailUrl?: string | null;
                                url: string;
                            }[];
                            body: string;
                            clientMessageId: string;
                            conversationId: string;
                            createdAt: string;
                            deletedAt: string | null;
                            editedAt: string | null;
                            id: string;
                            reactions: {
                                count: number;
                                emoji: string;
                                me?: boolean;
                            }[];
                            replyToId: string | null;
                            senderId: string;
                            seq: number;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark the conversation read up to seq (clamped; never moves backwards) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        seq: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/reads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Members' read positions (for "seen by"): each current member's lastReadSeq, 0 when nothing is marked read */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                lastReadSeq: number;
                                readAt: string | null;
                                userId: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/direct": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open the direct conversation with another user (201 the first time, 200 after; one per pair) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uuid */
                        userId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            lastMessage: {
                                attachments: {
                                    contentType: string;
                                    id: string;
                                    name: string;
                                    size: number;
                                    thumbnailUrl?: string | null;
                                    url: string;
                                }[];
                                body: string;
                                clientMessageId: string;
                                conversationId: string;
                                createdAt: string;
                                deletedAt: string | null;
                                editedAt: string | null;
                                id: string;
                                reactions: {
                                    count: number;
                                    emoji: string;
                                    me?: boolean;
                                }[];
                                replyToId: string | null;
                                senderId: string;
                                seq: number;
                            } | null;
                            lastMessageAt: string | null;
                            lastReadSeq: number;
                            lastSeq: number;
                            otherUserId: string | null;
                            title: string | null;
                            /** @enum {string} */
                            type: "direct" | "group";
                            unreadCount: number;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            lastMessage: {
                                attachments: {
                                    contentType: string;
                                    id: string;
                                    name: string;
                                    size: number;
                                    thumbnailUrl?: string | null;
                                    url: string;
                                }[];
                                body: string;
                                clientMessageId: string;
                                conversationId: string;
                                createdAt: string;
                                deletedAt: string | null;
                                editedAt: string | null;
                                id: string;
                                reactions: {
                                    count: number;
                                    emoji: string;
                                    me?: boolean;
                                }[];
                                replyToId: string | null;
                                senderId: string;
                                seq: number;
                            } | null;
                            lastMessageAt: string | null;
                            lastReadSeq: number;
                            lastSeq: number;
                            otherUserId: string | null;
                            title: string | null;
                            /** @enum {string} */
                            type: "direct" | "group";
                            unreadCount: number;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file (multipart field "file") to attach to a message
         * @description At most 26214400 bytes (FILE_MAX_BYTES; more answers 413). The type is sniffed from the bytes; HTML, SVG and XML are stored as text/plain. Images get a 320px WebP thumbnail. Files not attached to a message within 24 hours are removed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            contentType: string;
                            id: string;
                            name: string;
                            size: number;
                            thumbnailUrl?: string;
                            url: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A file's bytes
         * @description For the uploader and members of conversations where it was shared; 404 for anyone else.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/files/{id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An image's 320px WebP thumbnail
         * @description For the uploader and members of conversations where it was shared; 404 for anyone else.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your groups, newest group first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                createdAt: string;
                                description: string | null;
                                id: string;
                                memberCount: number;
                                /** @enum {string} */
                                myRole: "owner" | "admin" | "member";
                                name: string;
                                ownerId: string;
                                updatedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a group; you are its owner
         * @description memberIds (at most 1000) are added as members; unknown users answer 400 naming them; past GROUP_MEMBER_LIMIT, 409.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string | null;
                        memberIds?: string[];
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            description: string | null;
                            id: string;
                            memberCount: number;
                            /** @enum {string} */
                            myRole: "owner" | "admin" | "member";
                            name: string;
                            ownerId: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A group you belong to (404 otherwise) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            description: string | null;
                            id: string;
                            memberCount: number;
                            /** @enum {string} */
                            myRole: "owner" | "admin" | "member";
                            name: string;
                            ownerId: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a group (the owner only) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Rename a group or change its description (admins and the owner)
         * @description An empty or null description clears it.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string | null;
                        name?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            description: string | null;
                            id: string;
                            memberCount: number;
                            /** @enum {string} */
                            myRole: "owner" | "admin" | "member";
                            name: string;
                            ownerId: string;
                            updatedAt: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/groups/{id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A group's members, oldest membership first (members only) */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                joinedAt: string;
                                /** @enum {string} */
                                role: "owner" | "admin" | "member";
                                userId: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Add members (admins and the owner); answers the members it added
         * @description Users who already belong are ignored (and left out of the answer); unknown users answer 400 naming them; past GROUP_MEMBER_LIMIT, 409.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        userIds: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                joinedAt: string;
                                /** @enum {string} */
                                role: "owner" | "admin" | "member";
                                userId: string;
                            }[];
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/groups/{id}/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a member, or leave with your own id. The owner cannot leave (409): hand ownership over first ({"role":"owner"}) or delete the group
         * @description Admins remove members; only the owner removes an admin; nobody removes the owner. Ownership rule: a group has exactly one owner. The owner cannot leave (409) until they hand ownership to another member with PATCH /api/v1/groups/{id}/members/{userId} {"role":"owner"} (the old owner becomes an admin), or delete the group.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Change a member's role (the owner only): admin or member; "owner" hands ownership over and makes you an admin
         * @description Ownership rule: a group has exactly one owner. The owner cannot leave (409) until they hand ownership to another member with PATCH /api/v1/groups/{id}/members/{userId} {"role":"owner"} (the old owner becomes an admin), or delete the group.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        role: "owner" | "admin" | "member";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            joinedAt: string;
                            /** @enum {string} */
                            role: "owner" | "admin" | "member";
                            userId: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a message, leaving a tombstone (the author, or a group admin or owner) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        /** Edit your message (the author only; 409 once deleted) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        body: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attachments: {
                                contentType: string;
                                id: string;
                                name: string;
                                size: number;
                                thumbnailUrl?: string | null;
                                url: string;
                            }[];
                            body: string;
                            clientMessageId: string;
                            conversationId: string;
                            createdAt: string;
                            deletedAt: string | null;
                            editedAt: string | null;
                            id: string;
                            reactions: {
                                count: number;
                                emoji: string;
                                me?: boolean;
                            }[];
                            replyToId: string | null;
                            senderId: string;
                            seq: number;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/messages/{id}/reactions/{emoji}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** React with an emoji (idempotent) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    emoji: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        /** Take back your reaction (idempotent) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    emoji: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your notifications, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    unread?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: uuid */
                                actorId?: string;
                                /** Format: uuid */
                                conversationId?: string;
                                createdAt: string;
                                /** Format: uuid */
                                groupId?: string;
                                /** Format: uuid */
                                id: string;
                                kind: string;
                                /** Format: uuid */
                                messageId?: string;
                                preview?: string;
                                readAt: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark notifications read: {ids} or {all: true} */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        ids: string[];
                    } | {
                        /** @enum {boolean} */
                        all: true;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications/settings/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your notification settings for a conversation */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            conversationId: string;
                            muted: boolean;
                        };
                    };
                };
            };
        };
        /** Mute or unmute a conversation (muted: no notifications, no pushes) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        muted: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: uuid */
                            conversationId: string;
                            muted: boolean;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/presence": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What others see of these users (?userIds=a,b,...): their chosen status while connected, offline otherwise
         * @description The one record of presence: `presence` frames carry its changes, and public profiles (`status` of GET /api/v1/users/:id, user search, contacts) show the same value moments later. Answers 503 with Retry-After while presence is paused (Redis unavailable); profiles keep the last known value meanwhile. See docs/presence.md.
         */
        get: {
            parameters: {
                query: {
                    userIds: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @enum {string} */
                                status: "online" | "away" | "dnd" | "offline";
                                text?: string;
                                /** Format: uuid */
                                userId: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/push/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register a browser push subscription (PushSubscription.toJSON()) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        endpoint: string;
                        expirationTime?: number | null;
                        keys: {
                            auth: string;
                            p256dh: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            endpoint: string;
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            endpoint: string;
                        };
                    };
                };
            };
        };
        /** Remove a push subscription by its endpoint */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        endpoint: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/push/vapid-public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The applicationServerKey for pushManager.subscribe() */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            publicKey: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/search/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search messages in your conversations (Russian and English stemming, partial words), newest first
         * @description q: 1–200 characters; words are matched in any inflection ("отчёт" finds "отчёты", "meeting" finds "meetings"), "quoted phrases", -excluded words and OR are understood; 3 characters or more also match inside words. before/after: ISO-8601 instants or dates. snippet is HTML with <mark> around the matches, everything else escaped.
         */
        get: {
            parameters: {
                query: {
                    after?: string;
                    before?: string;
                    conversationId?: string;
                    cursor?: string;
                    limit?: number;
                    q: string;
                    senderId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                conversationId: string;
                                message: {
                                    attachments: ({
                                        contentType: string;
                                        /** Format: uuid */
                                        id: string;
                                        name: string;
                                        size: number;
                                        url: string;
                                    } & {
                                        [key: string]: unknown;
                                    })[];
                                    body: string;
                                    clientMessageId: string;
                                    /** Format: uuid */
                                    conversationId: string;
                                    /** Format: date-time */
                                    createdAt: string;
                                    /** Format: date-time */
                                    deletedAt: string | null;
                                    /** Format: date-time */
                                    editedAt: string | null;
                                    /** Format: uuid */
                                    id: string;
                                    reactions: ({
                                        count: number;
                                        emoji: string;
                                        me?: boolean;
                                    } & {
                                        [key: string]: unknown;
                                    })[];
                                    /** Format: uuid */
                                    replyToId: string | null;
                                    /** Format: uuid */
                                    senderId: string;
                                    seq: number;
                                } & {
                                    [key: string]: unknown;
                                };
                                snippet: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Find users by username or display name (prefix and fuzzy) */
        get: {
            parameters: {
                query: {
                    limit?: number;
                    q: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                avatarUrl: string | null;
                                bio: string;
                                displayName: string;
                                id: string;
                                /** @description When the user was last active or connected (null when never, or when invisible). */
                                lastSeenAt: string | null;
                                /**
                                 * @description What other users see: the status the user chose (online, away, dnd) while they have a socket open, offline when they have none or are invisible. The same as GET /api/v1/presence and the `presence` frames (it follows them within moments); never `invisible` here. While presence is paused (Redis unavailable), the last known value.
                                 * @enum {string}
                                 */
                                status: "online" | "away" | "dnd" | "invisible" | "offline";
                                statusText: string | null;
                                username: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's public profile */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            avatarUrl: string | null;
                            bio: string;
                            displayName: string;
                            id: string;
                            /** @description When the user was last active or connected (null when never, or when invisible). */
                            lastSeenAt: string | null;
                            /**
                             * @description What other users see: the status the user chose (online, away, dnd) while they have a socket open, offline when they have none or are invisible. The same as GET /api/v1/presence and the `presence` frames (it follows them within moments); never `invisible` here. While presence is paused (Redis unavailable), the last known value.
                             * @enum {string}
                             */
                            status: "online" | "away" | "dnd" | "invisible" | "offline";
                            statusText: string | null;
                            username: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}/avatar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's avatar image */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your profile */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            avatarUrl: string | null;
                            bio: string;
                            createdAt: string;
                            displayName: string;
                            email: string;
                            id: string;
                            lastLoginAt: string | null;
                            /** @description When the user was last active or connected (null when never, or when invisible). */
                            lastSeenAt: string | null;
                            locale: string;
                            /**
                             * @description The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.
                             * @enum {string}
                             */
                            status: "online" | "away" | "dnd" | "invisible" | "offline";
                            statusText: string | null;
                            username: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update your profile */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        bio?: string;
                        displayName?: string;
                        locale?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            avatarUrl: string | null;
                            bio: string;
                            createdAt: string;
                            displayName: string;
                            email: string;
                            id: string;
                            lastLoginAt: string | null;
                            /** @description When the user was last active or connected (null when never, or when invisible). */
                            lastSeenAt: string | null;
                            locale: string;
                            /**
                             * @description The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.
                             * @enum {string}
                             */
                            status: "online" | "away" | "dnd" | "invisible" | "offline";
                            statusText: string | null;
                            username: string;
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/users/me/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your recent activity, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                detail: {
                                    [key: string]: unknown;
                                };
                                id: string;
                                kind: string;
                                occurredAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/avatar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload your avatar (multipart field "file": PNG, JPEG or WebP) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            avatarUrl: string | null;
                            bio: string;
                            createdAt: string;
                            displayName: string;
                            email: string;
                            id: string;
                            lastLoginAt: string | null;
                            /** @description When the user was last active or connected (null when never, or when invisible). */
                            lastSeenAt: string | null;
                            locale: string;
                            /**
                             * @description The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.
                             * @enum {string}
                             */
                            status: "online" | "away" | "dnd" | "invisible" | "offline";
                            statusText: string | null;
                            username: string;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change your password; ends your other sessions */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currentPassword: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set your status */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "online" | "away" | "dnd" | "invisible";
                        text?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            avatarUrl: string | null;
                            bio: string;
                            createdAt: string;
                            displayName: string;
                            email: string;
                            id: string;
                            lastLoginAt: string | null;
                            /** @description When the user was last active or connected (null when never, or when invisible). */
                            lastSeenAt: string | null;
                            locale: string;
                            /**
                             * @description The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.
                             * @enum {string}
                             */
                            status: "online" | "away" | "dnd" | "invisible" | "offline";
                            statusText: string | null;
                            username: string;
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
